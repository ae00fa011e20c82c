"""`ImagePool`: the history of generated images a CycleGAN discriminator trains on.

Shrivastava et al. 2017 (arXiv 1612.07828) update the discriminator with a
history of generated images rather than only the latest generator's, which
reduces oscillation; CycleGAN keeps a buffer of the 50 latest (Zhu et al.
2017, section 4). The reference implementation's `ImagePool.query`, for each
generated image of a batch, in order:

1. while the pool holds fewer than `size` images: store the image, return it;
2. once full, with probability 1/2: return a stored image picked uniformly
   and store the new image in its place; otherwise return the new image.

`ImagePool` does exactly this, one image after the other inside the compiled
step (a `tf.while_loop`, so a later image of a batch can return an earlier
one), with random draws passed in by the model (its seeded, replica-aware
noise). Its state, the stored images and their count, is made of Keras
variables: saved in `.keras` files and checkpoints (`extra_state()`).

Under `tf.distribute.MirroredStrategy` the variables are synchronised on read
with aggregation `ONLY_FIRST_REPLICA`: each replica keeps its own pool of
its own fakes (as data-parallel copies of the reference would), and a
checkpoint stores the first replica's pool, which a restore gives to every
replica.
"""

import keras
import tensorflow as tf


class ImagePool(keras.layers.Layer):
    """A pool of up to `size` images of shape `image_shape`.

    Args:
        size: images kept (the paper's 50); 0 turns the pool off (`query`
            returns its input).
        image_shape: `(height, width, channels)` of the images.

    Example:

    ```python
    import numpy as np
    import tensorflow as tf
    from kgan.families.cyclegan.image_pool import ImagePool

    pool = ImagePool(2, (4, 4, 1))
    images = tf.constant(np.arange(3, dtype="float32")[:, None, None, None] * np.ones((3, 4, 4, 1), "float32"))
    out = pool.query(images, coins=tf.constant([0.9, 0.9, 0.1]), slots=tf.constant([0, 0, 1]))
    # images 0 and 1 fill the pool and come back; image 2 (coin < 0.5) takes slot 1's place and returns image 1
    ```
    """

    def __init__(self, size, image_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"Expected `size` to be a non-negative integer. Received: size={size!r}")
        self.size = size
        self.image_shape = tuple(int(d) for d in image_shape)
        per_replica = dict(trainable=False, synchronization="on_read", aggregation="only_first_replica")
        self.images = keras.Variable(
            keras.initializers.Zeros()((max(size, 1), *self.image_shape)), name="images", **per_replica
        )
        self.count = keras.Variable(0, dtype="int32", name="count", **per_replica)
        self.built = True

    def query(self, images, coins, slots):
        """Returns a batch to train D on, and updates the pool (see the module docstring).

        Args:
            images: the generated batch, `(batch, *image_shape)`.
            coins: `(batch,)` uniform draws in [0, 1); below 0.5 a full pool
                swaps the image for a stored one.
            slots: `(batch,)` int32 slots in `[0, size)` to swap with.
        """
        if self.size == 0:
            return images
        images = tf.cast(images, self.images.dtype)
        batch = tf.shape(images)[0]

        def step(i, pool, count, out):
            full = count >= self.size
            swap = tf.logical_and(full, coins[i] < 0.5)
            slot = tf.where(full, slots[i], count)
            stored = pool[slot]
            out = out.write(i, tf.where(swap, stored, images[i]))
            kept = tf.where(tf.logical_or(swap, tf.logical_not(full)), images[i], stored)
            pool = tf.tensor_scatter_nd_update(pool, [[slot]], kept[None])
            return i + 1, pool, tf.minimum(count + 1, self.size), out

        _, pool, count, out = tf.while_loop(
            lambda i, *_: i < batch,
            step,
            (tf.constant(0), tf.convert_to_tensor(self.images), tf.convert_to_tensor(self.count),
             tf.TensorArray(images.dtype, size=batch, element_shape=self.image_shape)),
        )
        self.images.assign(pool)
        self.count.assign(count)
        return tf.ensure_shape(out.stack(), images.shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "image_shape": list(self.image_shape)}
