"""Differentiable augmentation of what the discriminator sees, for small datasets.

Both methods transform real and generated images the same way, before every
discriminator call (in the D and the G phases, and inside the penalties), with
differentiable operations, so the generator learns the clean distribution
while D cannot memorise the few real images.

- `DiffAugment` (Zhao et al. 2020, arXiv 2006.10738): every transform of the
  policy on every image: `color` (brightness, saturation, contrast),
  `translation` (up to 1/8 of the size, zero padded), `cutout` (a square of
  half the size). The reference implementation's magnitudes.
- `AdaptiveAugment` (ADA, Karras et al. 2020, arXiv 2006.06676): each
  transform of the chosen groups is applied to each image with probability
  `p`, and `p` follows the overfitting heuristic `r_t = E[sign(D(real))]`:
  every `interval` D steps it moves by `batch * interval / speed_images`
  towards `r_t = target`. Groups: `blit` (x-flip, 90-degree rotations,
  integer translation), `geometric` (isotropic and anisotropic scaling,
  rotation, fractional translation; one bilinear warp with reflection
  padding, without the paper's anti-aliasing filter), `color` (brightness,
  contrast, and for RGB luma flip, hue rotation and saturation).

Randomness comes from the model's seeded, replica-aware noise (`uniform`),
so runs are reproducible and a checkpoint resumes them exactly. Images are
`(batch, H, W, C)` in [-1, 1] with C = 1 or 3.
"""

import math

import keras
import tensorflow as tf

from kgan import checks

DIFFAUGMENT_POLICIES = ("color", "translation", "cutout")
ADA_GROUPS = ("blit", "geometric", "color")


class DiffAugment:
    """Differentiable augmentation with a fixed policy (Zhao et al. 2020).

    Args:
        policy: the transforms, a subset of `("color", "translation", "cutout")`
            or a comma-separated string like the reference's
            `"color,translation,cutout"`.
    """

    def __init__(self, policy=DIFFAUGMENT_POLICIES):
        if isinstance(policy, str):
            policy = tuple(p for p in policy.split(",") if p)
        unknown = [p for p in policy if p not in DIFFAUGMENT_POLICIES]
        if unknown or not policy:
            raise ValueError(
                f"Expected a DiffAugment policy from {list(DIFFAUGMENT_POLICIES)}. Received: policy={policy!r}"
            )
        self.policy = tuple(policy)

    def __call__(self, images, uniform):
        """Augments `images`; `uniform(shape)` draws the model's seeded uniform noise in [0, 1)."""
        _check_images(images)
        if "color" in self.policy:
            images = _diff_color(images, uniform)
        if "translation" in self.policy:
            images = _diff_translation(images, uniform)
        if "cutout" in self.policy:
            images = _diff_cutout(images, uniform)
        return images

    def get_config(self):
        return {"policy": list(self.policy)}


class AdaptiveAugment:
    """Adaptive discriminator augmentation (ADA, Karras et al. 2020).

    The probability `p` lives in the model (a variable saved with it and in
    checkpoints); `kgan.base.AdversarialModel` updates it from D's outputs on
    real images.

    Args:
        target: the target of `r_t = E[sign(D(real))]` (0.6 in the paper).
        interval: D steps between updates of `p` (4 in the paper).
        speed_images: images over which `p` can move from 0 to 1 (500,000 in
            the paper; smaller reacts faster in short runs).
        groups: a subset of `("blit", "geometric", "color")`.
        initial_p: the probability at the start.
    """

    def __init__(self, target=0.6, interval=4, speed_images=500_000, groups=ADA_GROUPS, initial_p=0.0):
        self.target = checks.number("target", target, 0.0, 1.0, low_open=True, high_open=True)
        self.interval = checks.positive_int("interval", interval)
        self.speed_images = checks.number("speed_images", speed_images, 0.0, low_open=True)
        if isinstance(groups, str):
            groups = tuple(g for g in groups.split(",") if g)
        unknown = [g for g in groups if g not in ADA_GROUPS]
        if unknown or not groups:
            raise ValueError(f"Expected ADA groups from {list(ADA_GROUPS)}. Received: groups={groups!r}")
        self.groups = tuple(groups)
        self.initial_p = checks.number("initial_p", initial_p, 0.0, 1.0)

    def __call__(self, images, uniform, p):
        """Augments `images`, each transform applied to each image with probability `p`."""
        _check_images(images)
        if "blit" in self.groups or "geometric" in self.groups:
            images = _ada_geometric(images, uniform, p, "blit" in self.groups, "geometric" in self.groups)
        if "color" in self.groups:
            images = _ada_color(images, uniform, p)
        return images

    def adjustment(self, signs_mean, batch_images):
        """The change of `p` after one interval with mean sign `signs_mean` of D's real outputs."""
        step = batch_images * self.interval / self.speed_images
        return tf.sign(signs_mean - self.target) * step

    def get_config(self):
        return {
            "target": self.target,
            "interval": self.interval,
            "speed_images": self.speed_images,
            "groups": list(self.groups),
            "initial_p": self.initial_p,
        }


def get(identifier):
    """None, a `DiffAugment` / `AdaptiveAugment`, its config dict, or `"diffaugment"` / `"ada"`."""
    if identifier is None or isinstance(identifier, (DiffAugment, AdaptiveAugment)):
        return identifier
    if identifier == "diffaugment":
        return DiffAugment()
    if identifier == "ada":
        return AdaptiveAugment()
    if isinstance(identifier, dict) and identifier.get("class_name") in ("DiffAugment", "AdaptiveAugment"):
        cls = DiffAugment if identifier["class_name"] == "DiffAugment" else AdaptiveAugment
        return cls(**identifier["config"])
    raise ValueError(
        "Expected `augment` to be None, 'diffaugment', 'ada', or a kgan.base.augmentation.DiffAugment or "
        f"AdaptiveAugment. Received: augment={identifier!r}"
    )


def serialize(augment):
    if augment is None:
        return None
    return {"class_name": type(augment).__name__, "config": augment.get_config()}


def _check_images(images):
    if images.shape.rank != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            "Expected discriminator augmentation on images of shape (batch, height, width, 1 or 3). "
            f"Received: shape {tuple(images.shape)}"
        )


def _per_image(uniform, images, count=1):
    return uniform(tf.stack([tf.shape(images)[0], count]))


# DiffAugment: the reference's transforms --------------------------------------------


def _diff_color(x, uniform):
    batch = tf.shape(x)[0]
    brightness = tf.reshape(_per_image(uniform, x) - 0.5, [batch, 1, 1, 1])
    x = x + brightness
    saturation = tf.reshape(_per_image(uniform, x) * 2.0, [batch, 1, 1, 1])
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * saturation + mean
    contrast = tf.reshape(_per_image(uniform, x) + 0.5, [batch, 1, 1, 1])
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * contrast + mean


def _diff_translation(x, uniform, ratio=0.125):
    height, width = x.shape[1], x.shape[2]
    shift_y, shift_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    offsets = _per_image(uniform, x, 2)
    dy = tf.cast(tf.floor(offsets[:, 0] * (2 * shift_y + 1)), tf.int32) - shift_y
    dx = tf.cast(tf.floor(offsets[:, 1] * (2 * shift_x + 1)), tf.int32) - shift_x
    # Output pixel (i, j) reads input (i - dy, j - dx), or zero outside (the reference pads with zeros).
    rows = tf.range(height)[None, :] - dy[:, None]
    cols = tf.range(width)[None, :] - dx[:, None]
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    rows = tf.clip_by_value(rows + 1, 0, height + 1)
    cols = tf.clip_by_value(cols + 1, 0, width + 1)
    x = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(x, cols, axis=2, batch_dims=1)


def _diff_cutout(x, uniform, ratio=0.5):
    height, width = x.shape[1], x.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    offsets = _per_image(uniform, x, 2)
    centre_y = tf.floor(offsets[:, 0] * (height + 1 - size_y % 2))
    centre_x = tf.floor(offsets[:, 1] * (width + 1 - size_x % 2))
    top = centre_y - size_y // 2
    left = centre_x - size_x // 2
    rows = tf.cast(tf.range(height), tf.float32)[None, :]
    cols = tf.cast(tf.range(width), tf.float32)[None, :]
    inside_y = (rows >= top[:, None]) & (rows < top[:, None] + size_y)
    inside_x = (cols >= left[:, None]) & (cols < left[:, None] + size_x)
    mask = tf.logical_not(inside_y[:, :, None] & inside_x[:, None, :])
    return x * tf.cast(mask, x.dtype)[..., None]


# ADA ---------------------------------------------------------------------------------


def _chance(uniform, x, p):
    """1.0 for the images a transform applies to (probability p), else 0.0."""
    return tf.cast(_per_image(uniform, x)[:, 0] < p, tf.float32)


def _ada_geometric(x, uniform, p, blit, geometric):
    """One warp that composes every geometric transform, inverse-mapped output -> input."""
    batch = tf.shape(x)[0]
    height, width = x.shape[1], x.shape[2]
    eye = tf.eye(3, batch_shape=[batch])
    inverse = eye
    if blit:
        flip = _chance(uniform, x, p) * tf.floor(_per_image(uniform, x)[:, 0] * 2)
        inverse = inverse @ _scale(1.0 - 2.0 * flip, tf.ones_like(flip))
        quarter = _chance(uniform, x, p) * tf.floor(_per_image(uniform, x)[:, 0] * 4)
        inverse = inverse @ _rotate(-quarter * (math.pi / 2))
        shift = _chance(uniform, x, p)[:, None] * (_per_image(uniform, x, 2) * 2.0 - 1.0) * 0.125
        pixels = tf.round(shift * [width, height])
        inverse = inverse @ _translate(-pixels[:, 0], -pixels[:, 1])
    if geometric:
        iso = tf.exp(_normal(uniform, x) * (0.2 * math.log(2)) * _chance(uniform, x, p))
        inverse = inverse @ _scale(1.0 / iso, 1.0 / iso)
        angle = (_per_image(uniform, x)[:, 0] * 2.0 - 1.0) * math.pi * _chance(uniform, x, p)
        inverse = inverse @ _rotate(-angle)
        aniso = tf.exp(_normal(uniform, x) * (0.2 * math.log(2)) * _chance(uniform, x, p))
        inverse = inverse @ _scale(1.0 / aniso, aniso)
        frac = _normal(uniform, x, 2) * 0.125 * _chance(uniform, x, p)[:, None]
        inverse = inverse @ _translate(-frac[:, 0] * width, -frac[:, 1] * height)
    # About the image centre, in pixel-centre coordinates.
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    ones = tf.ones([batch])
    matrix = _translate(cx * ones, cy * ones) @ inverse @ _translate(-cx * ones, -cy * ones)
    transform = tf.reshape(matrix, [batch, 9])[:, :8]
    return keras.ops.image.affine_transform(x, transform, interpolation="bilinear", fill_mode="reflect")


def _ada_color(x, uniform, p):
    batch = tf.shape(x)[0]

    def per_image(values):
        return tf.reshape(values, [batch, 1, 1, 1])

    x = x + per_image(_normal(uniform, x) * 0.2 * _chance(uniform, x, p))
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    x = (x - mean) * per_image(tf.exp(_normal(uniform, x) * 0.5 * math.log(2) * _chance(uniform, x, p))) + mean
    if x.shape[-1] == 3:
        luma = tf.constant([0.299, 0.587, 0.114]) / tf.norm(tf.constant([0.299, 0.587, 0.114]))
        along = tf.reduce_sum(x * luma, axis=-1, keepdims=True) * luma
        flip = per_image(_chance(uniform, x, p) * tf.floor(_per_image(uniform, x)[:, 0] * 2))
        x = x - 2.0 * flip * along
        angle = per_image((_per_image(uniform, x)[:, 0] * 2.0 - 1.0) * math.pi * _chance(uniform, x, p))
        x = _rotate_about(x, luma, angle)
        along = tf.reduce_sum(x * luma, axis=-1, keepdims=True) * luma
        saturation = per_image(tf.exp(_normal(uniform, x) * math.log(2) * _chance(uniform, x, p)))
        x = along + (x - along) * saturation
    return x


def _rotate_about(x, axis, angle):
    """Rodrigues' rotation of every RGB vector about `axis` by `angle` (per image)."""
    cos, sin = tf.cos(angle), tf.sin(angle)
    cross = tf.linalg.cross(tf.broadcast_to(axis, tf.shape(x)), x)
    dot = tf.reduce_sum(x * axis, axis=-1, keepdims=True)
    return x * cos + cross * sin + axis * dot * (1.0 - cos)


def _normal(uniform, x, count=1):
    # Box-Muller from the model's seeded uniforms.
    u = _per_image(uniform, x, 2 * count)
    u1, u2 = tf.maximum(u[:, :count], 1e-7), u[:, count:]
    normal = tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos(2.0 * math.pi * u2)
    return normal[:, 0] if count == 1 else normal


def _matrix(rows):
    return tf.stack([tf.stack(row, axis=-1) for row in rows], axis=-2)


def _scale(sx, sy):
    zeros, ones = tf.zeros_like(sx), tf.ones_like(sx)
    return _matrix([[sx, zeros, zeros], [zeros, sy, zeros], [zeros, zeros, ones]])


def _rotate(angle):
    cos, sin = tf.cos(angle), tf.sin(angle)
    zeros, ones = tf.zeros_like(angle), tf.ones_like(angle)
    return _matrix([[cos, -sin, zeros], [sin, cos, zeros], [zeros, zeros, ones]])


def _translate(tx, ty):
    zeros, ones = tf.zeros_like(tx), tf.ones_like(tx)
    return _matrix([[ones, zeros, tx], [zeros, ones, ty], [zeros, zeros, ones]])
