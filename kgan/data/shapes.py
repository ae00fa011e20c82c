"""The embedded 3D default: labelled shapes drawn procedurally and deterministically.

Eight classes, four solids and four composite objects, each with random
proportions, orientation and position:

| label | class      | what varies                                             |
| ----- | ---------- | ------------------------------------------------------- |
| 0     | `box`      | three side lengths; yaw and a tilt                      |
| 1     | `sphere`   | an ellipsoid's three radii (near round); yaw and a tilt |
| 2     | `cylinder` | radius and height; yaw and a tilt                       |
| 3     | `cone`     | base radius and height; yaw and a tilt                  |
| 4     | `torus`    | ring and tube radii; yaw and a tilt                     |
| 5     | `table`    | top size and thickness, leg width and height; yaw       |
| 6     | `chair`    | seat, legs, backrest height; yaw                        |
| 7     | `mug`      | radius, height, wall, handle; yaw                       |

Furniture and mugs stand upright (as ShapeNet and ModelNet shapes are
aligned); solids also tilt up to 30 degrees. Every shape is scaled to fill
55-85% of the grid and shifted to a random position inside it, with at
least one empty voxel at each border. Grids are sampled at voxel centres (at
sides below 32, a voxel is occupied if any of its 2^3 sub-samples is).

Each example has its own generator, `numpy.random.default_rng((seed, split,
class, index))`, and draws every number before it is voxelised, so an
example does not depend on the others, on the order of generation, or (but
for sampling) on the grid size. "train" and "test" come from different
streams, so the held-out split shares no example with the training one.

Grids are `(x, y, z)` with y up, occupancy 0/1.

```python
x, y = kgan.data.shapes.generate("test", grid_size=16, per_class=2)
x.shape, x.dtype, y.tolist()  # (16, 16, 16, 16, 1), uint8, [0, 0, 1, 1, ..., 7, 7]
```
"""

import functools

import numpy as np

NAME = "shapes"
CLASS_NAMES = ("box", "sphere", "cylinder", "cone", "torus", "table", "chair", "mug")
SPLITS = ("train", "test", "all")
# The sizes and the seed are part of the dataset's definition: changing them
# would silently change every "test" number computed on it.
PER_CLASS = {"train": 400, "test": 100}
SEED = 0
_SPLIT_IDS = {"train": 0, "test": 1}
MAX_TILT = np.radians(30.0)
FILL = (0.55, 0.85)  # the shape's largest half-side, as a fraction of the grid's
MIN_GRID_SIZE = 16
# Below this grid side a voxel is occupied when any of its 2^3 sub-samples is
# inside, so that parts thinner than a voxel (legs, walls, a torus' tube) survive.
SUPERSAMPLE_BELOW = 32


def num_examples(split="train", per_class=None):
    """Examples in `split` (eight classes of `per_class` each, by default the split's own)."""
    check_split(split)
    if split == "all":
        return num_examples("train", per_class) + num_examples("test", per_class)
    return len(CLASS_NAMES) * (per_class or PER_CLASS[split])


@functools.lru_cache(maxsize=2)
def _generate_cached(split, grid_size, seed, per_class):
    if split == "all":
        parts = [_generate_cached(s, grid_size, seed, per_class) for s in ("train", "test")]
        x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    else:
        count = per_class or PER_CLASS[split]
        x = np.zeros((len(CLASS_NAMES) * count, grid_size, grid_size, grid_size, 1), "uint8")
        y = np.repeat(np.arange(len(CLASS_NAMES), dtype="int32"), count)
        for label in range(len(CLASS_NAMES)):
            for i in range(count):
                rng = np.random.default_rng((seed, _SPLIT_IDS[split], label, i))
                x[label * count + i, ..., 0] = draw(label, rng, grid_size)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def generate(split="train", grid_size=32, seed=SEED, per_class=None):
    """The shapes of `split` as arrays.

    Args:
        split: `"train"` (400 per class), `"test"` (100 per class) or `"all"`.
        grid_size: side of the grids (>= 16).
        seed: the dataset's seed; the default (0) is kgan's dataset.
        per_class: examples per class instead of the split's own number.

    Returns:
        `(volumes, labels)`: read-only uint8 `(N, n, n, n, 1)` occupancy
        (0/1) and int32 `(N,)` labels, class by class.
    """
    check_split(split)
    if isinstance(grid_size, bool) or not isinstance(grid_size, int) or grid_size < MIN_GRID_SIZE:
        raise ValueError(
            f"Expected `grid_size` to be an integer >= {MIN_GRID_SIZE} (thin parts vanish below). "
            f"Received: grid_size={grid_size!r}"
        )
    if per_class is not None and (isinstance(per_class, bool) or not isinstance(per_class, int) or per_class < 1):
        raise ValueError(f"Expected `per_class` to be None or a positive integer. Received: per_class={per_class!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative integer. Received: seed={seed!r}")
    return _generate_cached(split, int(grid_size), int(seed), per_class)


def draw(label, rng, grid_size):
    """One example of class `label` as a bool `(n, n, n)` grid; every number comes from `rng`."""
    inside, upright = _CLASSES[CLASS_NAMES[label]](rng)
    yaw = rng.uniform(0, 2 * np.pi)
    tilt = 0.0 if upright else rng.uniform(0, MAX_TILT)
    tilt_axis = rng.uniform(0, 2 * np.pi)
    fill = rng.uniform(*FILL)
    position = rng.uniform(0, 1, 3)
    rotation = _rotation_y(yaw) @ _tilt(tilt, tilt_axis)
    # 1. Centre the rotated shape and scale its largest side to `fill` of the
    #    grid, measured on a fine sampling of the shape (not on the grid, so
    #    that every grid size draws the same shape).
    fine = _points(_FINE, _FINE_HALF_WIDTH)
    rotated = fine[inside(fine)] @ rotation.T
    low, high = rotated.min(0), rotated.max(0)
    centre, scale = (low + high) / 2, fill / (np.max(high - low) / 2)
    # 2. Sample it at the voxel centres (shrinking it a little in the rare
    #    case that it still touches the border), then move it to `position`.
    sub = 2 if grid_size < SUPERSAMPLE_BELOW else 1
    points = _points(grid_size * sub, 1.0)
    while True:
        samples = inside((points / scale + centre) @ rotation)
        grid = samples.reshape((grid_size, sub) * 3).any(axis=(1, 3, 5))
        if _fits(grid):
            return _shift(grid, position)
        scale *= 0.95


_FINE = 32  # samples per side of the fine sampling
_FINE_HALF_WIDTH = 1.3  # every shape lies within [-1.3, 1.3]^3 in its own frame


@functools.lru_cache(maxsize=8)
def _points(n, half_width):
    """The centres of an `n^3` grid spanning `[-half_width, half_width]^3`, as `(n^3, 3)`."""
    centres = ((np.arange(n) + 0.5) / n * 2 - 1) * half_width
    points = np.stack(np.meshgrid(centres, centres, centres, indexing="ij"), -1).reshape(-1, 3)
    points.setflags(write=False)
    return points


def _fits(grid):
    occupied = np.argwhere(grid)
    if not len(occupied):
        raise ValueError(f"Expected a shape that covers a voxel centre. Received: an empty {grid.shape} grid")
    return occupied.min() >= 1 and occupied.max() <= grid.shape[0] - 2


def _shift(grid, position):
    """Moves the shape by whole voxels to `position` (in [0, 1]^3) of its free room."""
    occupied = np.argwhere(grid)
    low, high = occupied.min(0) - 1, grid.shape[0] - 2 - occupied.max(0)
    offset = np.rint(-low + position * (low + high)).astype(int)
    return np.roll(grid, tuple(offset), axis=(0, 1, 2))


def _rotation_y(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _tilt(angle, axis_angle):
    """Rotation by `angle` about a horizontal axis at `axis_angle` (Rodrigues' formula)."""
    k = np.array([np.cos(axis_angle), 0.0, np.sin(axis_angle)])
    cross = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * cross + (1 - np.cos(angle)) * cross @ cross


# Shapes in their own frame (y up, about [-1, 1]^3): each draws its
# proportions and returns `(inside(points) -> bool, upright)`.


def _box_at(points, low, high):
    inside = (points[:, 0] >= low[0]) & (points[:, 0] <= high[0])
    for axis in (1, 2):
        inside &= (points[:, axis] >= low[axis]) & (points[:, axis] <= high[axis])
    return inside


def _box(rng):
    half = rng.uniform(0.35, 1.0, 3)
    return (lambda p: _box_at(p, -half, half)), False


def _sphere(rng):
    radii = rng.uniform(0.75, 1.0, 3)
    return (lambda p: np.sum((p / radii) ** 2, axis=-1) <= 1.0), False


def _cylinder_at(points, radius, bottom, top, x=0.0, z=0.0):
    y = points[:, 1]
    return ((points[:, 0] - x) ** 2 + (points[:, 2] - z) ** 2 <= radius**2) & (y >= bottom) & (y <= top)


def _cylinder(rng):
    radius, half = rng.uniform(0.35, 0.9), rng.uniform(0.45, 1.0)
    return (lambda p: _cylinder_at(p, radius, -half, half)), False


def _cone(rng):
    radius, half = rng.uniform(0.5, 1.0), rng.uniform(0.6, 1.0)

    def inside(p):
        y = p[:, 1]
        r = radius * (half - y) / (2 * half)  # radius at height y: full at the base, 0 at the tip
        return (p[:, 0] ** 2 + p[:, 2] ** 2 <= r**2) & (y >= -half) & (y <= half)

    return inside, False


def _torus_at(points, ring, tube, axis=1):
    a, b = [i for i in range(3) if i != axis]
    in_plane = np.sqrt(points[:, a] ** 2 + points[:, b] ** 2)
    return (in_plane - ring) ** 2 + points[:, axis] ** 2 <= tube**2


def _torus(rng):
    tube = rng.uniform(0.15, 0.3)
    ring = rng.uniform(0.5, 1.0 - tube)
    return (lambda p: _torus_at(p, ring, tube)), False


def _legs(points, half_x, half_z, leg, bottom, top):
    """Four square legs under the corners of a `2 half_x x 2 half_z` top."""
    found = np.zeros(len(points), bool)
    for sx in (-1, 1):
        for sz in (-1, 1):
            centre = np.array([sx * (half_x - leg), 0.0, sz * (half_z - leg)])
            found |= _box_at(points, centre + [-leg, bottom, -leg], centre + [leg, top, leg])
    return found


def _table(rng):
    half_x, half_z = rng.uniform(0.7, 1.0), rng.uniform(0.45, 1.0)
    thickness, leg = rng.uniform(0.1, 0.18), rng.uniform(0.08, 0.14)
    height = rng.uniform(0.5, 0.95)  # half of the total height

    def inside(p):
        top = _box_at(p, [-half_x, height - thickness, -half_z], [half_x, height, half_z])
        return top | _legs(p, half_x, half_z, leg, -height, height)

    return inside, True


def _chair(rng):
    half = rng.uniform(0.45, 0.65)  # the seat is about square
    half_z = half * rng.uniform(0.85, 1.15)
    thickness, leg = rng.uniform(0.1, 0.16), rng.uniform(0.08, 0.12)
    seat = rng.uniform(-0.2, 0.1)  # seat height; legs go down to -1
    back = rng.uniform(0.6, 1.0)  # backrest top

    def inside(p):
        seat_box = _box_at(p, [-half, seat - thickness, -half_z], [half, seat, half_z])
        backrest = _box_at(p, [-half, seat, half_z - thickness], [half, back, half_z])
        return seat_box | backrest | _legs(p, half, half_z, leg, -1.0, seat)

    return inside, True


def _mug(rng):
    radius, half = rng.uniform(0.45, 0.65), rng.uniform(0.55, 0.9)
    wall = rng.uniform(0.12, 0.2)
    handle_ring, handle_tube = rng.uniform(0.28, 0.4), rng.uniform(0.08, 0.12)

    def inside(p):
        outer = _cylinder_at(p, radius, -half, half)
        hollow = _cylinder_at(p, radius - wall, -half + wall, half + 1.0)
        # A ring in the x-y plane beside the body; the part inside the body is dropped.
        ring = _torus_at(p - [radius, 0.0, 0.0], handle_ring, handle_tube, axis=2)
        handle = ring & (p[:, 0] ** 2 + p[:, 2] ** 2 > (radius - wall) ** 2)
        return (outer & ~hollow) | handle

    return inside, True


_CLASSES = {
    "box": _box,
    "sphere": _sphere,
    "cylinder": _cylinder,
    "cone": _cone,
    "torus": _torus,
    "table": _table,
    "chair": _chair,
    "mug": _mug,
}


def check_split(split):
    """Raises `ValueError` unless `split` is one of `SPLITS`."""
    if split not in SPLITS:
        raise ValueError(f"Expected split to be one of {SPLITS} for source '{NAME}'. Received: split={split!r}")
