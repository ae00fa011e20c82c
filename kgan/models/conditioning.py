"""Class conditioning shared by the conditional generators and discriminators.

kgan uses one design for every conditional architecture:
- the generator embeds the label and concatenates it with z (Mirza & Osindero
  2014, arXiv 1411.1784, with a learned embedding instead of one-hot);
- the discriminator is a projection discriminator (Miyato & Koyama 2018,
  arXiv 1802.05637): `logit = psi(h) + <embed(y), h>` where `h = phi(x)`.
"""

import keras
from keras import layers


def labels_input():
    """The integer class-label input shared by G and D: shape `(batch,)`."""
    return keras.Input(shape=(), dtype="int32", name="labels")


def check_num_classes(num_classes):
    if num_classes is None:
        return
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 2:
        raise ValueError(
            "Expected `num_classes` to be None (unconditional) or an integer >= 2. "
            f"Received: num_classes={num_classes!r}"
        )


def generator_inputs(latent_dim, num_classes, embed_dim):
    """Returns `(inputs, x)`: G's inputs and the tensor its body starts from.

    `x` is z itself, or `concat([z, embedding(labels)])` when conditional.
    """
    z = keras.Input(shape=(latent_dim,), name="z")
    if num_classes is None:
        return [z], z
    labels = labels_input()
    return [z, labels], concat_label_embedding(z, labels, num_classes, embed_dim)


def discriminator_inputs(image_shape, num_classes):
    """Returns `(inputs, images, labels)` for D; `labels` is None if unconditional."""
    images = keras.Input(shape=image_shape, name="images")
    if num_classes is None:
        return [images], images, None
    labels = labels_input()
    return [images, labels], images, labels


def concat_label_embedding(z, labels, num_classes, embed_dim):
    """Returns `concat([z, embedding(labels)])` for a conditional generator."""
    embedded = layers.Embedding(num_classes, embed_dim, name="label_embedding")(labels)
    return layers.Concatenate(name="z_and_label")([z, embedded])


def projection_logit(features, labels, num_classes):
    """Projection discriminator head: `Dense(1)(h) + <embed(y), h>`.

    Args:
        features: flat features `h` of shape `(batch, dim)`.
        labels: integer labels, shape `(batch,)`, or None for the
            unconditional head `Dense(1)(h)`.
        num_classes: number of classes (ignored when `labels` is None).
    """
    # Logits stay float32 under mixed precision: the losses take log-sigmoids.
    logit = layers.Dense(1, dtype="float32", name="logits")(features)
    if labels is None:
        return logit
    dim = features.shape[-1]
    embedded = layers.Embedding(num_classes, dim, name="label_projection")(labels)
    projection = layers.Dot(axes=1, dtype="float32", name="projection")([embedded, features])
    return layers.Add(dtype="float32", name="conditional_logits")([logit, projection])


def single_or_list(inputs):
    """A lone input is passed bare, so the model takes a tensor, not `[tensor]`."""
    return inputs[0] if len(inputs) == 1 else inputs
