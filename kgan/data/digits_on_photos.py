"""`digits_on_photos`: the embedded digits drawn in colour over photo crops, as MNIST-M is made.

MNIST-M (Ganin & Lempitsky 2015) blends MNIST digits over patches of colour
photographs; it is the classic target domain for adapting a digit
classifier trained on plain digits. kgan makes the same kind of domain from
what ships with its dependencies, one image per digit of a split of
`kgan.data.digits` (labels kept, for evaluation):

1. the 8x8 digit, resized to `image_size` as `kgan.data.load_arrays("digits",
   image_size=...)` resizes it, becomes a mask `m` in [0, 1] (its ink);
2. the background is a random crop of an embedded photograph
   (`kgan.data.photo_crops`: `photos.TRAINING` for "train",
   `photos.HELD_OUT` for "test", which training never reads);
3. the ink gets a random colour `c`: of `CANDIDATES` uniform RGB colours,
   the one farthest from the background's mean under the mask, so the
   digit stays legible;
4. `image = (1 - m) * background + m * c`.

Everything is drawn from `seed` with NumPy (default: the split's own, which
fixes the dataset). Its domain partner in the CycleGAN demo is the digits
themselves in RGB (`plain_digits`), drawn white on black.

```python
from kgan.data import digits_on_photos

x, y = digits_on_photos.load("test", image_size=32)   # float32 (359, 32, 32, 3) in [-1, 1], labels 0..9
```
"""

import numpy as np

from kgan.data import photo_crops

NAME = "digits_on_photos"
SPLITS = ("train", "test")
SEEDS = {"train": 20, "test": 21}
CANDIDATES = 4


def plain_digits(split="train", image_size=32):
    """The digits of `split` in RGB, white on black: `(x, y)` with x float32 in [-1, 1]."""
    from kgan.data import loader  # not the package: kgan.data imports this module (through unpaired)

    if split not in SPLITS:
        raise ValueError(f"Expected split to be one of {SPLITS}. Received: split={split!r}")
    x, y, _ = loader.load_arrays("digits", split=split, image_size=image_size, channels=3)
    return x, y


def load(split="train", image_size=32, seed=None):
    """Returns `(images, labels)`: float32 `(N, S, S, 3)` in [-1, 1] and int32 `(N,)`.

    Args:
        split: "train" (the digits' train split over `photos.TRAINING`) or
            "test" (the digits' test split over `photos.HELD_OUT`).
        image_size: side of the images (S).
        seed: seed of the backgrounds and colours (default: the split's own).
    """
    digits, labels = plain_digits(split, image_size)
    rng = np.random.default_rng(SEEDS[split] if seed is None else seed)
    backgrounds = photo_crops.random_crops(split, len(digits), image_size, rng).astype(np.float32) / 255.0
    mask = (digits[..., :1] + 1.0) / 2.0
    colours = rng.uniform(0.0, 1.0, (len(digits), CANDIDATES, 3)).astype(np.float32)
    ink = mask / np.maximum(mask.sum(axis=(1, 2), keepdims=True), 1e-6)
    under_ink = (backgrounds * ink).sum(axis=(1, 2))  # (N, 3): the background's mean colour under the digit
    best = np.argmax(np.linalg.norm(colours - under_ink[:, None, :], axis=-1), axis=1)
    colour = colours[np.arange(len(digits)), best][:, None, None, :]
    images = (1.0 - mask) * backgrounds + mask * colour
    return (images * 2.0 - 1.0).astype(np.float32), labels.astype(np.int32)
