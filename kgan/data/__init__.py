"""Datasets for GAN training: images as float32 in [-1, 1], batched for `fit`.

```python
ds = kgan.data.load()                                   # embedded 8x8 digits
ds = kgan.data.load("mnist.npz", image_size=32)         # x_train / y_train
ds = kgan.data.load("photos/", image_size=64, channels=3, labels=False, batch_size=4)
x, y, info = kgan.data.load_arrays("digits", split="test")
```

TFDS datasets load by name from a prepared `data_dir`, e.g.
`kgan.data.load("mnist", data_dir="~/tensorflow_datasets", with_info=True)`;
nothing is downloaded unless `download=True`.
"""

from kgan.data import degradation
from kgan.data import photos
from kgan.data.dataset_info import DatasetInfo
from kgan.data.errors import DatasetNotFoundError
from kgan.data.loader import display_name
from kgan.data.loader import info
from kgan.data.loader import load
from kgan.data.loader import load_arrays
from kgan.data.loader import to_tfrecord
from kgan.data.loader import training_examples
from kgan.data.paired import load_paired
from kgan.data.patches import sr_pairs
from kgan.data.unpaired import load_unpaired
from kgan.data.voxels import load_voxels
from kgan.data.voxels import voxel_info

__all__ = ["DatasetInfo", "DatasetNotFoundError", "display_name", "info", "load", "load_arrays", "to_tfrecord", "training_examples", "load_paired", "load_unpaired", "load_voxels", "voxel_info", "degradation", "photos", "sr_pairs"]
