"""A directory of PNG / JPEG images, optionally with class subfolders.

Layouts:

```
faces/            (unlabelled)      animals/          (labelled)
  0001.png                            cat/   (label 0)
  0002.jpg                              a.png, b.jpg, ...
                                      dog/   (label 1)
                                        ...
```

With class subfolders, the sorted subfolder names are the `class_names` and
a subfolder's index is its label; images anywhere below a class subfolder
belong to it, and image files at the top level are ignored (with a
warning). Without subfolders, the top-level images form an unlabelled set.
Names starting with "." are ignored.

Every file is first opened and fully decoded once with PIL, to find the
image sizes and colour modes and to catch corrupt files up front rather
than in the middle of training. The pipeline itself then reads and decodes
the files again with `tf.io` ops (`tf.io.read_file`, `tf.io.decode_image`),
so the decoded images are not all held in memory (they are cached after
resizing when `cache=True`), and `kgan train` can stream them from disk in
its exact epoch order (`Source.files`, `kgan.data.indexed`).
"""

import os
import warnings

import tensorflow as tf
from PIL import Image

from kgan.data.source import Source

EXTENSIONS = (".png", ".jpg", ".jpeg")
FORMATS = ("PNG", "JPEG")
SPLITS = ("train", "all")
GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
# How many skipped paths a warning lists before summarising the rest.
MAX_LISTED_PATHS = 20


def read(directory, split="train", on_error="skip"):
    """Reads an image folder as a `Source`.

    Args:
        directory: Path of the folder.
        split: `"train"` or `"all"`, both meaning every image: a folder has
            a single split (point `source` at another folder for a test set).
        on_error: `"skip"` skips unreadable or corrupt images and warns with
            their paths; `"raise"` raises a `ValueError` naming the first one.

    Returns:
        A `Source` of images in [-1, 1] with 1 channel if every image is
        grayscale, else 3; labelled when the folder has class subfolders.
        `native_shape` has `None` height and width if the sizes differ.
    """
    if split not in SPLITS:
        raise ValueError(
            f"Expected split to be one of {SPLITS} for an image folder (a folder "
            f"has one split; pass another folder for test images). "
            f"Received: split={split!r}"
        )
    paths, labels, class_names = list_images(directory)
    if not paths:
        raise ValueError(
            f"Expected PNG or JPEG files ({', '.join(EXTENSIONS)}) in {directory} "
            f"or in its class subfolders. Received: no image files"
        )

    kept, sizes, gray = _validate(directory, paths, on_error)
    channels = 1 if gray else 3
    height, width = sizes.pop() if len(sizes) == 1 else (None, None)
    paths = [paths[i] for i in kept]

    def decode(path):
        image = tf.io.decode_image(
            tf.io.read_file(path), channels=channels, dtype=tf.float32, expand_animations=False
        )
        return image * 2.0 - 1.0  # decode_image's float output is in [0, 1].

    if class_names is None:
        dataset = tf.data.Dataset.from_tensor_slices(paths).map(
            decode, num_parallel_calls=tf.data.AUTOTUNE
        )
    else:
        labels = [labels[i] for i in kept]
        dataset = tf.data.Dataset.from_tensor_slices((paths, tf.constant(labels, tf.int32))).map(
            lambda path, label: (decode(path), label), num_parallel_calls=tf.data.AUTOTUNE
        )
    return Source(
        name=str(directory),
        split=split,
        dataset=dataset,
        num_examples=len(paths),
        native_shape=(height, width, channels),
        num_classes=None if class_names is None else len(class_names),
        class_names=class_names,
        files=(tuple(paths), None if class_names is None else tuple(labels), decode),
    )


def list_images(directory):
    """Lists the image files of a folder.

    Args:
        directory: Path of the folder.

    Returns:
        `(paths, labels, class_names)`: sorted file paths; their labels
        (`None` for a flat folder); the sorted class subfolder names
        (`None` for a flat folder).
    """
    with os.scandir(directory) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    subfolders = [e.name for e in entries if e.is_dir()]
    top_level = [e.path for e in entries if e.is_file() and _is_image_name(e.name)]
    if not subfolders:
        return top_level, None, None
    if top_level:
        warnings.warn(
            f"Ignored {len(top_level)} image file(s) at the top level of {directory}: "
            f"with class subfolders ({subfolders}), only images inside them are used.",
            stacklevel=2,
        )
    paths, labels = [], []
    for label, name in enumerate(subfolders):
        for root, dirs, files in os.walk(os.path.join(directory, name)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file in sorted(files):
                if not file.startswith(".") and _is_image_name(file):
                    paths.append(os.path.join(root, file))
                    labels.append(label)
    return paths, labels, tuple(subfolders)


def inspect_image(path):
    """Opens and fully decodes one image with PIL.

    Args:
        path: Path of the file.

    Returns:
        `(height, width, is_gray)`.

    Raises:
        ValueError: if the file is not a PNG or JPEG; PIL's own errors
            (`OSError`, `SyntaxError`, ...) if it is corrupt.
    """
    with Image.open(path) as image:
        if image.format not in FORMATS:
            raise ValueError(f"Expected a PNG or JPEG file. Received: format={image.format}")
        image.load()  # Decodes every pixel: truncated or corrupt data fails here.
        return image.height, image.width, image.mode in GRAY_MODES


def _validate(directory, paths, on_error):
    """Decodes every file once; returns `(kept indices, sizes, all gray)`."""
    kept, sizes, gray, skipped = [], set(), True, []
    for index, path in enumerate(paths):
        try:
            height, width, is_gray = inspect_image(path)
        except Exception as e:  # Any failure to decode makes the file unusable.
            if on_error == "raise":
                raise ValueError(f"Could not read image file {path}: {e}") from e
            skipped.append(path)
            continue
        kept.append(index)
        sizes.add((height, width))
        gray = gray and is_gray
    if skipped:
        _warn_skipped(directory, skipped)
    if not kept:
        raise ValueError(f"Expected at least one readable image in {directory}. Received: none")
    return kept, sizes, gray


def _is_image_name(name):
    return name.lower().endswith(EXTENSIONS)


def _warn_skipped(directory, skipped):
    listed = "\n  ".join(skipped[:MAX_LISTED_PATHS])
    more = len(skipped) - MAX_LISTED_PATHS
    tail = f"\n  ... and {more} more" if more > 0 else ""
    warnings.warn(
        f"Skipped {len(skipped)} unreadable image file(s) in {directory} "
        f"(on_error='skip'):\n  {listed}{tail}",
        stacklevel=2,
    )
