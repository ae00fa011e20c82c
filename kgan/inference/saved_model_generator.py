"""`SavedModelGenerator`: an exported generator run by TensorFlow."""

from kgan.inference import layout
from kgan.inference.generator import ExportedGenerator


class SavedModelGenerator(ExportedGenerator):
    """Runs an exported SavedModel's `generate` signature with `tf.saved_model.load`.

    Needs TensorFlow but not Keras or kgan's model code.

    Args:
        path: the version folder holding `saved_model.pb` and its `card.json`.
        batch_size: largest batch per call.
    """

    backend = "saved_model"

    def __init__(self, path, batch_size=256):
        import tensorflow as tf

        card = layout.read_card(path)
        if card is None:
            raise FileNotFoundError(
                f"Expected {layout.CARD} beside the SavedModel (kgan export writes it). Received: path={path!r}"
            )
        self._tf = tf
        self.saved_model = tf.saved_model.load(path)
        self.signature = self.saved_model.signatures["generate"]
        super().__init__(path, card["latent_dim"], card["num_classes"], card["image_shape"], batch_size, card)

    def _run(self, z, labels):
        tf = self._tf
        feeds = {"z": tf.constant(z)}
        if labels is not None:
            feeds["labels"] = tf.constant(labels)
        return self.signature(**feeds)["images"].numpy()
