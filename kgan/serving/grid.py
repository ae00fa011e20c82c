"""The PNG grid endpoint: `GET /v1/models/NAME/grid.png?n=16&seed=0`.

Query parameters: `n` (default 16), `seed` (default 0), `labels` (`3` or
`0,1,2`, cycled to n; default: the classes in turn), `rows`, `scale` (integer
upscaling, default to about 64 px per tile). The images are those of
`GAN.generate(n, labels, seed)` and `kgan.inference` `generate(n, seed, labels)`;
volumes (a voxel GAN's) are shown as shaded renders (`kgan.rendering`).
"""

import io

from PIL import Image

from kgan import images
from kgan import labels as labels_lib

DEFAULT_N = 16
MAX_SCALE = 16


def parse_query(params, generator):
    """Reads the query into `{n, seed, labels, rows, scale}`; bad values raise ValueError."""
    n = _int(params, "n", DEFAULT_N, minimum=1)
    labels = None
    if "labels" in params:
        if not generator.conditional:
            raise ValueError(f"This model is unconditional and takes no labels. Received: labels={params['labels']!r}")
        labels = labels_lib.parse(params["labels"], n, name="labels")
    return {
        "n": n,
        "seed": _int(params, "seed", 0),
        "labels": labels,
        "rows": _int(params, "rows", None, minimum=1),
        "scale": min(_int(params, "scale", _default_scale(generator), minimum=1), MAX_SCALE),
    }


def render(generator, query):
    """Generates the grid and returns it as PNG bytes."""
    samples = generator.generate(query["n"], seed=query["seed"], labels=query["labels"])
    if samples.ndim == 5:  # volumes: shaded renders of their surfaces
        from kgan import rendering

        samples = rendering.render_volumes(samples, value_range=generator.spec.output.value_range or (0.0, 1.0))
    grid = images.make_grid(samples, rows=query["rows"], scale=query["scale"])
    buffer = io.BytesIO()
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(buffer, format="PNG")
    return buffer.getvalue()


def _default_scale(generator):
    # Tiles of about 64 px; volumes are rendered at 64 px already.
    shape = generator.image_shape
    return 1 if len(shape) == 4 else max(1, 64 // shape[0])


def _int(params, name, default, minimum=None):
    if name not in params:
        return default
    text = params[name]
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"Expected `{name}` to be an integer. Received: {name}={text!r}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"Expected `{name}` >= {minimum}. Received: {name}={value}")
    return value

