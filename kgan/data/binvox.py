"""`.binvox` files: the voxel format of ShapeNet's and ModelNet's voxelisations.

The format (Patrick Min's binvox, https://www.patrickmin.com/binvox/binvox.html)
is an ASCII header and run-length encoded bytes:

```
#binvox 1
dim 32 32 32
translate -0.5 -0.5 -0.5
scale 1
data
<pairs of bytes (value 0 or 1, count 1..255)>
```

The voxels are listed with y running fastest, then z, then x; `read_binvox`
returns them as an `(x, y, z)` array (as binvox_rw's `fix_coords` does),
which is kgan's order for grids, and `write_binvox` writes that order back.
`translate` and `scale` place the grid in the model's coordinates; they are
kept, not applied.

```python
grid = np.zeros((8, 8, 8), bool)
grid[2:6, 1:7, 3:5] = True
kgan.data.binvox.write_binvox("block.binvox", grid)
back, header = kgan.data.binvox.read_binvox("block.binvox")
assert (back == grid).all() and header["dims"] == (8, 8, 8)
```
"""

import numpy as np

from kgan import atomic

MAGIC = b"#binvox"
MAX_RUN = 255


def read_binvox(path):
    """Reads a `.binvox` file.

    Returns:
        `(grid, header)`: a bool `(x, y, z)` array and `{"dims", "translate",
        "scale"}` from the header.

    Raises:
        ValueError: naming the file and what is wrong with it.
    """
    with open(path, "rb") as f:
        content = f.read()
    header, data = _parse_header(content, path)
    dims = header["dims"]
    pairs = np.frombuffer(data, dtype=np.uint8)
    if len(pairs) % 2:
        raise ValueError(f"Expected (value, count) byte pairs after 'data' in {path}. Received: {len(pairs)} bytes")
    values, counts = pairs[0::2], pairs[1::2]
    if values.size and values.max() > 1:
        raise ValueError(f"Expected run values 0 or 1 in {path}. Received: a run of value {int(values.max())}")
    expected = int(np.prod(dims))
    if int(counts.sum(dtype=np.int64)) != expected:
        raise ValueError(
            f"Expected {expected} voxels (dim {' '.join(map(str, dims))}) in {path}. "
            f"Received: runs covering {int(counts.sum(dtype=np.int64))}"
        )
    flat = np.repeat(values.astype(bool), counts)
    # Stored order: x slowest, then z, then y fastest, in an array of the
    # header's dims (as binvox_rw reads it); swapping the last two gives (x, y, z).
    grid = flat.reshape(dims).transpose(0, 2, 1)
    return np.ascontiguousarray(grid), header


def write_binvox(path, grid, translate=(0.0, 0.0, 0.0), scale=1.0):
    """Writes a bool-like `(x, y, z)` grid as a `.binvox` file, atomically; returns `path`."""
    grid = np.asarray(grid)
    if grid.ndim != 3 or grid.size == 0:
        raise ValueError(f"Expected a non-empty (x, y, z) grid. Received: shape={grid.shape}")
    stored = np.ascontiguousarray(grid.astype(bool).transpose(0, 2, 1))  # (x, z, y)
    dims = stored.shape
    flat = stored.reshape(-1)
    header = (
        f"#binvox 1\ndim {dims[0]} {dims[1]} {dims[2]}\n"
        f"translate {' '.join(f'{float(t):g}' for t in translate)}\nscale {float(scale):g}\ndata\n"
    ).encode("ascii")
    with atomic.temporary_path(path, ".binvox") as temp:
        with open(temp, "wb") as f:
            f.write(header + _run_lengths(flat))
    return path


def _run_lengths(flat):
    """(value, count) byte pairs, runs of at most 255."""
    change = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [len(flat)]]))
    out = []
    for value, length in zip(flat[starts].astype(np.uint8), lengths):
        full, rest = divmod(int(length), MAX_RUN)
        out.append(np.tile([value, MAX_RUN], full).astype(np.uint8))
        if rest:
            out.append(np.array([value, rest], np.uint8))
    return np.concatenate(out).tobytes()


def _parse_header(content, path):
    lines, offset = [], 0
    while True:
        end = content.find(b"\n", offset)
        if end < 0:
            raise ValueError(f"Expected a binvox header ending in a 'data' line in {path}. Received: no 'data' line")
        line = content[offset:end].strip()
        offset = end + 1
        if line == b"data":
            break
        lines.append(line)
        if len(lines) > 16:
            raise ValueError(f"Expected a short binvox header in {path}. Received: more than 16 lines before 'data'")
    if not lines or not lines[0].startswith(MAGIC):
        first = lines[0][:40] if lines else b""
        raise ValueError(f"Expected a file starting with '#binvox' in {path}. Received: {first!r}")
    fields = {}
    for line in lines[1:]:
        key, *values = line.decode("ascii", "replace").split()
        fields[key] = values
    try:
        dims = tuple(int(v) for v in fields["dim"])
        translate = tuple(float(v) for v in fields.get("translate", (0, 0, 0)))
        scale = float(fields.get("scale", (1,))[0])
    except (KeyError, ValueError, IndexError):
        raise ValueError(f"Expected 'dim D H W' (and translate, scale) in the header of {path}. Received: {fields}") from None
    if len(dims) != 3 or min(dims) < 1:
        raise ValueError(f"Expected three positive sizes after 'dim' in {path}. Received: dim {dims}")
    return {"dims": dims, "translate": translate, "scale": scale}, content[offset:]
