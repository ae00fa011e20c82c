"""The embedded procedural shapes: deterministic per seed, a disjoint held-out split, shapes that fit."""

import numpy as np
import pytest

from kgan.data import shapes

GRID = 16


@pytest.fixture(scope="module")
def test_split():
    return shapes.generate("test", GRID, per_class=3)


def test_the_same_seed_gives_the_same_shapes(test_split):
    x, y = test_split
    shapes._generate_cached.cache_clear()  # a fresh generation, not the cached arrays
    again, labels = shapes.generate("test", GRID, per_class=3)
    assert again is not x
    np.testing.assert_array_equal(again, x)
    np.testing.assert_array_equal(labels, y)


def test_another_seed_gives_other_shapes(test_split):
    x, _ = test_split
    other, _ = shapes.generate("test", GRID, seed=1, per_class=3)
    assert all(not np.array_equal(a, b) for a, b in zip(x, other))


def test_an_example_does_not_depend_on_the_others(test_split):
    # Example i of class c has its own generator: asking for fewer per class keeps it.
    x, _ = test_split
    fewer, _ = shapes.generate("test", GRID, per_class=2)
    for label in range(len(shapes.CLASS_NAMES)):
        np.testing.assert_array_equal(fewer[2 * label : 2 * label + 2], x[3 * label : 3 * label + 2])


def test_the_held_out_split_shares_no_shape_with_the_training_split(test_split):
    x, _ = test_split
    train, _ = shapes.generate("train", GRID, per_class=3)
    assert not any(np.array_equal(a, b) for a in x for b in train)


def test_splits_sizes_labels_and_layout(test_split):
    x, y = test_split
    assert x.shape == (24, GRID, GRID, GRID, 1) and x.dtype == np.uint8 and set(np.unique(x)) == {0, 1}
    np.testing.assert_array_equal(y, np.repeat(np.arange(8), 3))
    assert shapes.num_examples("train") == 3200 and shapes.num_examples("test") == 800
    assert shapes.num_examples("all") == 4000
    # Every shape covers voxels and leaves a one-voxel border empty.
    grids = x[..., 0]
    assert grids.reshape(len(grids), -1).sum(1).min() > 10
    assert not grids[:, [0, -1]].any() and not grids[:, :, [0, -1]].any() and not grids[:, :, :, [0, -1]].any()
    assert not x.flags.writeable  # cached arrays are shared: read-only


def test_classes_differ_in_how_much_they_fill():
    x, y = shapes.generate("train", 32, per_class=6)
    fill = {shapes.CLASS_NAMES[c]: x[y == c].mean() for c in range(8)}
    # Solid boxes and spheres fill more of the grid than legged tables and chairs.
    assert min(fill["box"], fill["sphere"]) > max(fill["table"], fill["chair"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"split": "val"}, "Expected split to be one of ('train', 'test', 'all') for source 'shapes'"),
        ({"grid_size": 8}, "Expected `grid_size` to be an integer >= 16"),
        ({"per_class": 0}, "Expected `per_class` to be None or a positive integer"),
        ({"seed": -1}, "Expected `seed` to be a non-negative integer"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as error:
        shapes.generate(**{"split": "test", "grid_size": GRID, "per_class": 1, **kwargs})
    assert message in str(error.value)
