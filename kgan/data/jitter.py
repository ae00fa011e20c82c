"""Random jitter of image batches inside a train step: random crop and mirroring.

pix2pix and CycleGAN (Isola et al. 2017, section 6.2; Zhu et al. 2017,
section 7.1) train on images resized to 286 x 286 and randomly cropped back
to 256 x 256, mirrored at random. kgan's loaders resize to
`load_size(image_size)` (the same 286/256 ratio) and the models crop and
mirror each batch in their train step, with noise from the model's seed
generator: a run resumed from a checkpoint jitters exactly as the
uninterrupted one, and every replica of a distributed run draws its own.
Paired images (a pix2pix source and target) share one crop and one flip.
"""

import tensorflow as tf

PAPER_LOAD, PAPER_CROP = 286, 256


def load_size(image_size):
    """The size images are loaded at before random crops of `image_size` (286/256 of it)."""
    return int(round(image_size * PAPER_LOAD / PAPER_CROP))


def random_jitter(images, size, uniform, flip=True):
    """Crops every image of each batch in `images` to `size` at a random place, and mirrors at random.

    Args:
        images: a list of `(batch, H, W, C)` tensors of the same batch, height
            and width (C may differ); they share one crop and one flip per example.
        size: side of the square crops (at most H and W), or None to
            mirror only.
        uniform: `uniform(shape) -> tensor` of uniform noise in [0, 1), e.g. a
            kgan model's `uniform`.
        flip: mirror left-right with probability 1/2.

    Returns:
        The list of cropped (and mirrored) tensors.
    """
    shape = tf.shape(images[0])
    batch, height, width = shape[0], shape[1], shape[2]
    draws = uniform(tf.stack([batch, 3]))
    mirror = draws[:, 2] < 0.5
    out = []
    for x in images:
        if size is not None:
            rows = _offsets(draws[:, 0], height - size)[:, None] + tf.range(size)[None, :]
            cols = _offsets(draws[:, 1], width - size)[:, None] + tf.range(size)[None, :]
            x = tf.gather(x, rows, axis=1, batch_dims=1)
            x = tf.ensure_shape(tf.gather(x, cols, axis=2, batch_dims=1), [None, size, size, x.shape[-1]])
        if flip:
            x = tf.where(mirror[:, None, None, None], tf.reverse(x, axis=[2]), x)
        out.append(x)
    return out


def center_crop(images, size):
    """Crops the centred `size` x `size` square of every tensor in `images`."""
    out = []
    for x in images:
        shape = tf.shape(x)
        top, left = (shape[1] - size) // 2, (shape[2] - size) // 2
        x = x[:, top : top + size, left : left + size, :]
        out.append(tf.ensure_shape(x, [None, size, size, x.shape[-1]]))
    return out


def _offsets(draws, room):
    # floor(u * (room + 1)) is uniform over 0..room; the min guards u -> 1.
    room = tf.maximum(room, 0)
    return tf.minimum(tf.cast(draws * tf.cast(room + 1, tf.float32), tf.int32), room)


def training_crops(images, image_size, jitter, uniform):
    """What a train step trains on: random crops and mirrors with `jitter`, else centre crops.

    Args:
        images: a list of `(batch, H, W, C)` tensors of one batch (paired
            images share their crops).
        image_size: side of the crops, or None to keep the size.
        jitter: random crops and mirroring (else centre crops, no mirroring).
        uniform: the model's `uniform(shape)` noise.
    """
    for x in images:
        sizes = [d for d in x.shape[1:3] if d is not None]
        if image_size is not None and sizes and min(sizes) < image_size:
            raise ValueError(
                f"Expected training images of at least {image_size} x {image_size} px (the model's "
                f"image_size; larger ones are cropped). Received: a batch of shape {tuple(x.shape)}"
            )
    if jitter:
        return random_jitter(images, image_size, uniform)
    if image_size is None or all(tuple(x.shape[1:3]) == (image_size, image_size) for x in images):
        return images
    return center_crop(images, image_size)
