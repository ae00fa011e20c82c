"""`DatasetInfo`: what a `kgan.data` source holds and what `load` yields."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """Describes one split of a dataset as `kgan.data.load` delivers it.

    Attributes:
        name: The source: `"digits"`, a TFDS name, or the path of an `.npz`
            file or image folder.
        split: The split, e.g. `"train"`, `"test"` or `"all"`.
        image_shape: `(height, width, channels)` of the output images, after
            resizing and channel conversion.
        num_examples: Number of examples in the split (after skipping
            unreadable images), or `None` if the source cannot tell cheaply.
        num_classes: Number of classes, or `None` for an unlabelled source.
        class_names: Tuple of class names (index = label), or `None`.
        native_shape: `(height, width, channels)` of the stored images, before
            resizing and channel conversion. `None` in the height and width
            when the stored images differ in size.

    Example:

    >>> info = kgan.data.info("digits", image_size=32)
    >>> info.image_shape, info.native_shape, info.num_classes
    ((32, 32, 1), (8, 8, 1), 10)
    """

    name: str
    split: str
    image_shape: tuple
    num_examples: int | None
    num_classes: int | None
    class_names: tuple | None
    native_shape: tuple
