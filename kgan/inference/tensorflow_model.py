"""`TensorFlowModel`: an exported model run from its SavedModel by TensorFlow."""

from kgan import specs
from kgan.inference import layout
from kgan.inference.model import ExportedModel


class TensorFlowModel(ExportedModel):
    """Runs an exported SavedModel's task signature (`generate`, `translate`, ...) with `tf.saved_model.load`.

    Needs TensorFlow but not Keras or kgan's model code. The spec comes from
    the `card.json` beside the SavedModel (`kgan.specs.from_card`).

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
        spec = specs.from_card(card)
        self._tf = tf
        self.saved_model = tf.saved_model.load(path)
        self.signature = self.saved_model.signatures[spec.task]
        super().__init__(path, spec, batch_size, card)

    def _run(self, feeds):
        tf = self._tf
        outputs = self.signature(**{name: tf.constant(value) for name, value in feeds.items()})
        return outputs[self.spec.output.name].numpy()
