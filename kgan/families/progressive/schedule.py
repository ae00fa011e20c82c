"""The growth schedule: which resolution, and how far faded in, after N images.

Training starts at 4x4 (level 0) and shows `stabilize_images` real images
there; then each new level is faded in over `fade_images` images and
stabilised for `stabilize_images`, up to the last level, which stays until
training ends (Karras et al. 2017, section 3 and appendix A.1). With `S`
stabilising and `F` fading images per phase, level `k >= 1` fades in over
images `[k S + (k - 1) F, k (S + F))` and is stable from `k (S + F)` on.

This is the official code's `TrainingSchedule` (`lod = L - level`), in
exact integer arithmetic, so a schedule position is a pure function of the
images shown: the model keeps that count in a variable, and restoring it
restores the phase and the fade-in's alpha.

Example:

```python
schedule = GrowthSchedule(num_levels=3, fade_images=100, stabilize_images=100)
assert schedule.position(0) == (0, 1.0)      # 4x4, stable
assert schedule.position(150) == (1, 0.5)    # fading in 8x8, half way
assert schedule.position(200) == (1, 1.0)    # 8x8, stable
assert schedule.position(10**6) == (2, 1.0)  # 16x16 to the end
```
"""

import dataclasses

from kgan import checks


@dataclasses.dataclass(frozen=True)
class GrowthSchedule:
    """The fade-in/stabilise schedule of `num_levels` resolutions (4x4 is level 0).

    Attributes:
        num_levels: resolutions `4, 8, ..., 4 * 2**(num_levels - 1)`.
        fade_images: real images over which a new block fades in (0: at once).
        stabilize_images: real images each resolution trains for after its
            fade-in (level 0: before the first fade-in).
    """

    num_levels: int
    fade_images: int
    stabilize_images: int

    def __post_init__(self):
        checks.positive_int("num_levels", self.num_levels)
        checks.integer("fade_images", self.fade_images, minimum=0)
        checks.integer("stabilize_images", self.stabilize_images, minimum=0)
        if self.num_levels > 1 and self.fade_images + self.stabilize_images == 0:
            raise ValueError(
                "Expected `fade_images + stabilize_images` > 0 for a schedule that grows. "
                f"Received: fade_images={self.fade_images}, stabilize_images={self.stabilize_images}"
            )

    @property
    def last_level(self):
        return self.num_levels - 1

    @property
    def phase_images(self):
        """Images from one level's stable start to the next level's stable start."""
        return self.fade_images + self.stabilize_images

    @property
    def images_to_full_resolution(self):
        """Images after which the last level is fully faded in."""
        return self.last_level * self.phase_images

    def position(self, images):
        """`(level, alpha)` after `images` real images: the level shown and its block's weight.

        `alpha` is 1.0 when the level is stable and in [0, 1) while its block
        fades in.
        """
        checks.integer("images", images, minimum=0)
        if self.last_level == 0:
            return 0, 1.0
        index, rest = divmod(images, self.phase_images)
        if index >= self.last_level or rest < self.stabilize_images:
            return min(index, self.last_level), 1.0
        return index + 1, (rest - self.stabilize_images) / self.fade_images

    def level(self, images):
        """The continuous level of detail: `level - 1 + alpha` while fading, else `level`."""
        level, alpha = self.position(images)
        return float(level) if alpha == 1.0 else level - 1 + alpha

    def phase(self, images):
        """A phase's name: `"stabilize 4x4"`, `"fade in 8x8"`, ..."""
        level, alpha = self.position(images)
        resolution = 4 * 2**level
        return f"{'stabilize' if alpha == 1.0 else 'fade in'} {resolution}x{resolution}"

    def phase_starts(self):
        """`[(images, phase name)]`: where each phase begins, in order (phases of no images left out)."""
        starts = [(0, self.phase(0))] if self.stabilize_images or self.last_level == 0 else []
        for level in range(1, self.num_levels):
            start = level * self.stabilize_images + (level - 1) * self.fade_images
            if self.fade_images:
                starts.append((start, self.phase(start)))
            if self.stabilize_images or level == self.last_level:
                starts.append((start + self.fade_images, self.phase(start + self.fade_images)))
        return starts

    def tensor_position(self, images):
        """`position` inside a compiled step: int32 level and float32 alpha from an int64 count."""
        import tensorflow as tf

        images = tf.cast(images, tf.int64)
        if self.last_level == 0:
            return tf.constant(0, tf.int32), tf.constant(1.0, tf.float32)
        index = images // self.phase_images
        rest = images - index * self.phase_images
        stable = tf.logical_or(index >= self.last_level, rest < self.stabilize_images)
        level = tf.where(stable, tf.minimum(index, self.last_level), index + 1)
        fading = tf.cast(rest - self.stabilize_images, tf.float64) / max(self.fade_images, 1)
        alpha = tf.where(stable, tf.constant(1.0, tf.float64), fading)
        return tf.cast(level, tf.int32), tf.cast(alpha, tf.float32)
