"""Shaded pictures of occupancy grids, in NumPy: what a voxel GAN's sample grids show.

A slice of a volume says little about a shape; a picture of its surface does.
`render_volume` casts one orthographic ray per pixel from a fixed viewpoint
(azimuth 45 degrees, elevation 30 degrees, y up), samples the occupancy
along it with trilinear interpolation of a lightly smoothed copy of the
grid, stops where it first crosses the middle of the value range (the
surface marching cubes would find), and shades that point with Lambert's law
using the field's gradient as the normal. Empty pixels are white.

Volumes are `(x, y, z)` or `(x, y, z, 1)` arrays, y up, as `kgan.models.voxel`
makes them; values are in `value_range` ((0, 1) for occupancy).

```python
ball = np.indices((16, 16, 16)).transpose(1, 2, 3, 0)
ball = (np.linalg.norm(ball - 7.5, axis=-1) < 6).astype("float32")
picture = kgan.rendering.render_volume(ball, size=48)   # uint8 (48, 48, 3)
grid = kgan.rendering.render_grid(np.stack([ball, ball[::2].repeat(2, 0)]), size=48)
```
"""

import numpy as np
from scipy import ndimage

from kgan import images

AZIMUTH = 45.0
ELEVATION = 30.0
# Half the side of the picture in grid units (the grid spans [-1, 1]): the
# grid's outline at this viewpoint reaches about 1.6 in height.
HALF_WIDTH = 1.3
BACKGROUND = 255
COLOR = np.array([0.62, 0.72, 0.88])
AMBIENT = 0.25
# Light from above, front-left of the default viewpoint: the three visible
# faces of a box get three different shades.
LIGHT = np.array([0.35, 0.85, 0.55]) / np.linalg.norm([0.35, 0.85, 0.55])
# Gaussian smoothing (in voxels) of the binary grid: a little for the surface,
# which softens stair steps yet keeps a one-voxel-thin rod visible (its core
# above 0.5 stays wider than a ray step), more for the normals, which makes
# the shading smooth.
SURFACE_SMOOTHING = 0.3
NORMAL_SMOOTHING = 1.0


def camera(azimuth=AZIMUTH, elevation=ELEVATION):
    """`(forward, right, up)` unit vectors of the camera (forward points into the scene)."""
    a, e = np.radians(azimuth), np.radians(elevation)
    eye = np.array([np.cos(e) * np.sin(a), np.sin(e), np.cos(e) * np.cos(a)])
    forward = -eye
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return forward, right, up


def render_volume(volume, size=64, value_range=(0.0, 1.0), color=COLOR, azimuth=AZIMUTH, elevation=ELEVATION):
    """Renders one occupancy grid as a shaded uint8 `(size, size, 3)` picture.

    Args:
        volume: `(x, y, z)` or `(x, y, z, 1)` values in `value_range`; the
            surface is where they cross the middle of the range.
        size: side of the picture in pixels.
        value_range: `(low, high)` of the values (empty, full).
        color: RGB in [0, 1] of the lit surface.
        azimuth, elevation: the viewpoint, in degrees.
    """
    occupancy = _occupancy(volume, value_range)
    field = ndimage.gaussian_filter(occupancy, SURFACE_SMOOTHING, mode="constant")
    side = field.shape[0]
    forward, right, up = camera(azimuth, elevation)
    # 1. One ray per pixel, starting outside the grid's bounding sphere.
    coords = (np.arange(size) + 0.5) / size * 2 * HALF_WIDTH - HALF_WIDTH
    u, v = np.meshgrid(coords, -coords)  # image rows go down, `up` goes up
    step = 1.0 / side  # half a voxel: the grid spans 2 units
    depths = np.arange(-np.sqrt(3), np.sqrt(3), step)
    points = (u[..., None, None] * right + v[..., None, None] * up) + depths[:, None] * forward
    # 2. Occupancy along each ray; the first sample at or past the surface.
    values = _sample(field, points.reshape(-1, 3)).reshape(size, size, len(depths))
    inside = values >= 0.5
    hit = inside.any(axis=-1)
    first = np.argmax(inside, axis=-1)
    before = np.maximum(first - 1, 0)
    a = np.take_along_axis(values, before[..., None], -1)[..., 0]
    b = np.take_along_axis(values, first[..., None], -1)[..., 0]
    fraction = np.where(first > 0, np.clip((0.5 - a) / np.maximum(b - a, 1e-6), 0, 1), 0.0)
    depth = depths[before] + fraction * step * (first > 0)
    surface = u[..., None] * right + v[..., None] * up + depth[..., None] * forward
    # 3. Lambert shading with the field's gradient as the (inward) normal.
    smooth = ndimage.gaussian_filter(occupancy, NORMAL_SMOOTHING, mode="constant")
    normals = -_gradient(smooth, surface[hit])
    normals /= np.maximum(np.linalg.norm(normals, axis=-1, keepdims=True), 1e-8)
    lambert = np.clip(normals @ LIGHT, 0.0, 1.0)
    shade = AMBIENT + (1.0 - AMBIENT) * lambert
    picture = np.full((size, size, 3), BACKGROUND, "uint8")
    picture[hit] = np.clip(np.rint(255 * shade[:, None] * np.asarray(color)), 0, 255).astype("uint8")
    return picture


def render_volumes(volumes, size=64, value_range=(0.0, 1.0), **options):
    """Renders a batch `(n, x, y, z[, 1])` to uint8 pictures `(n, size, size, 3)`."""
    volumes = np.asarray(volumes)
    if volumes.ndim == 5 and volumes.shape[-1] == 1:
        volumes = volumes[..., 0]
    if volumes.ndim != 4:
        raise ValueError(f"Expected volumes of shape (n, x, y, z) or (n, x, y, z, 1). Received: shape={volumes.shape}")
    pictures = [render_volume(volume, size, value_range, **options) for volume in volumes]
    return np.stack(pictures) if pictures else np.zeros((0, size, size, 3), "uint8")


def render_grid(volumes, rows=None, size=64, value_range=(0.0, 1.0), scale=1, **options):
    """Renders a batch of volumes and tiles the pictures into one uint8 grid (`kgan.images.make_grid`)."""
    return images.make_grid(render_volumes(volumes, size, value_range, **options), rows=rows, scale=scale)


def _occupancy(volume, value_range):
    volume = np.asarray(volume, "float32")
    if volume.ndim == 4 and volume.shape[-1] == 1:
        volume = volume[..., 0]
    if volume.ndim != 3 or len(set(volume.shape)) != 1:
        raise ValueError(f"Expected a cubic volume of shape (n, n, n) or (n, n, n, 1). Received: shape={volume.shape}")
    low, high = value_range
    return np.clip((volume - low) / (high - low), 0.0, 1.0)


def _index(field, points):
    # Grid coordinates in [-1, 1] -> voxel indices (voxel i's centre is at index i).
    return ((points + 1.0) * 0.5 * field.shape[0] - 0.5).T


def _sample(field, points):
    return ndimage.map_coordinates(field, _index(field, points), order=1, mode="constant", cval=0.0)


def _gradient(field, points):
    gradients = np.gradient(field)
    return np.stack([_sample(g, points) for g in gradients], axis=-1)
