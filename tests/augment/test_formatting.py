import numpy as np
import pytest
import tensorflow as tf

from kgan.augment import formatting


def _format(images, value_range=(-1, 1), dtype="float32", image_size=None, channels=None):
    return formatting.format_images(
        tf.constant(images, tf.float32),
        formatting.check_value_range(value_range),
        formatting.check_dtype(dtype),
        formatting.check_image_size(image_size),
        formatting.check_channels(channels),
    ).numpy()


def test_value_range_and_dtype():
    images = np.array([-1.0, 0.0, 1.0], "float32").reshape(1, 1, 3, 1)
    np.testing.assert_allclose(_format(images, (0, 1)).ravel(), [0.0, 0.5, 1.0])
    out = _format(images, (0, 255), "uint8")
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.ravel(), [0, 128, 255])


def test_size_and_channels():
    images = np.zeros((2, 8, 8, 1), "float32")
    assert _format(images, image_size=16, channels=3).shape == (2, 16, 16, 3)
    assert _format(images, image_size=(4, 6)).shape == (2, 4, 6, 1)
    assert formatting.output_shape((8, 8, 1), (4, 6), 3) == (4, 6, 3)


@pytest.mark.parametrize(
    "check, value",
    [
        (formatting.check_value_range, (1, 0)),
        (formatting.check_value_range, "01"),
        (formatting.check_dtype, "string"),
        (formatting.check_dtype, "bool"),
        (formatting.check_image_size, 0),
        (formatting.check_image_size, (8, 8, 1)),
        (formatting.check_channels, 2),
    ],
)
def test_bad_format_arguments(check, value):
    with pytest.raises(ValueError, match="Expected .* Received"):
        check(value)
