"""The embedded photographs: real colour photos that ship with kgan's dependencies.

scikit-learn bundles two photos (`sklearn.datasets.load_sample_images`:
china, flower) and scikit-image a few more in `skimage.data`. They make the
offline default of the super-resolution family (`kgan train --family
super_resolution`): training crops come from `TRAINING`; the images named in
`HELD_OUT` are kept for evaluation and previews, and training never reads
them.

| name                  | size (H x W) | source                      |
| --------------------- | ------------ | --------------------------- |
| astronaut (held out)  | 512 x 512    | skimage.data.astronaut      |
| chelsea (held out)    | 300 x 451    | skimage.data.chelsea        |
| coffee (held out)     | 400 x 600    | skimage.data.coffee         |
| china                 | 427 x 640    | sklearn load_sample_images  |
| flower                | 427 x 640    | sklearn load_sample_images  |
| rocket                | 427 x 640    | skimage.data.rocket         |
| motorcycle_left/right | 500 x 741    | skimage.data.stereo_motorcycle |
| immunohistochemistry  | 512 x 512    | skimage.data.immunohistochemistry |
| retina                | 1411 x 1411  | skimage.data.retina         |
| hubble_deep_field     | 872 x 1000   | skimage.data.hubble_deep_field |

`skimage.data.cat` is chelsea again and is left out. The two motorcycle
images are a stereo pair (nearly the same picture), so both sit on the
training side.

```python
from kgan.data import photos

image = photos.load("astronaut")            # uint8 (512, 512, 3)
train = [photos.load(n) for n in photos.TRAINING]
```
"""

import numpy as np

NAME = "sample_photos"
HELD_OUT = ("astronaut", "chelsea", "coffee")
TRAINING = (
    "china",
    "flower",
    "rocket",
    "motorcycle_left",
    "motorcycle_right",
    "immunohistochemistry",
    "retina",
    "hubble_deep_field",
)
NAMES = HELD_OUT + TRAINING


def load(name):
    """The photo `name` as uint8 RGB `(H, W, 3)`."""
    if name not in NAMES:
        raise ValueError(f"Expected a photo name among {list(NAMES)}. Received: name={name!r}")
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_images

        bundle = load_sample_images()
        index = [path.rsplit("/", 1)[-1].split(".")[0] for path in bundle.filenames].index(name)
        image = bundle.images[index]
    else:
        from skimage import data

        if name.startswith("motorcycle_"):
            left, right, _ = data.stereo_motorcycle()
            image = left if name == "motorcycle_left" else right
        else:
            image = getattr(data, name)()
    return np.ascontiguousarray(image[..., :3], dtype=np.uint8)


def load_all(names):
    """`{name: uint8 image}` for `names`, in order."""
    return {name: load(name) for name in names}
