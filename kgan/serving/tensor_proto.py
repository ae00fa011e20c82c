"""TF Serving's `TensorProto` to and from NumPy, without TensorFlow.

Reads tensors the way `tf.make_ndarray` does: the elements come from
`tensor_content` (little-endian bytes) or from the field of the dtype
(`float_val`, `int_val`, `int64_val`, `string_val`), where a single value
fills the whole shape. Writes outputs as `tensor_content`, as
`tf.make_tensor_proto` does for NumPy arrays. Only the dtypes a kgan signature
takes are read: DT_FLOAT, DT_INT32, DT_INT64, and DT_STRING (encoded images).

```python
import numpy as np
from kgan.serving import tensor_proto

proto = tensor_proto.from_numpy(np.zeros((2, 8), "float32"))
array = tensor_proto.to_numpy(proto, "z", max_elements=1024)
```
"""

import math

import numpy as np

from kgan.serving.protos import messages

# dtype name -> (enum value, NumPy dtype, field of single values)
_TYPES = {
    "DT_FLOAT": (1, "<f4", "float_val"),
    "DT_INT32": (3, "<i4", "int_val"),
    "DT_STRING": (7, object, "string_val"),
    "DT_INT64": (9, "<i8", "int64_val"),
}
_BY_NUMPY = {"float32": "DT_FLOAT", "int32": "DT_INT32", "int64": "DT_INT64"}


def dtype_name(value):
    """`"DT_FLOAT"` for 1, and so on; `"DT_<n>"` for a value TensorFlow does not define."""
    found = messages.DATA_TYPES.values_by_number.get(value)
    return found.name if found is not None else f"DT_{value}"


def dtype_of(numpy_dtype):
    """TF Serving's name for a kgan dtype: `"float32"` -> `"DT_FLOAT"`."""
    return _BY_NUMPY[str(numpy_dtype)]


def shape_of(proto, name):
    """The shape of `proto` as a tuple; raises ValueError for an unknown rank or size."""
    shape = proto.tensor_shape
    dims = tuple(d.size for d in shape.dim)
    if shape.unknown_rank or any(d < 0 for d in dims):
        raise ValueError(f"Expected `{name}` with a known shape. Received: tensor_shape {_text(shape)}")
    return dims


def to_numpy(proto, name, max_elements):
    """Returns the array `proto` holds (dtype object of `bytes` for DT_STRING).

    Args:
        proto: a `TensorProto` of dtype DT_FLOAT, DT_INT32, DT_INT64 or DT_STRING.
        name: the input's name, for error messages.
        max_elements: the most elements accepted: a single value may fill a
            shape of any size, so the shape is bounded before anything is made.
    """
    kind = dtype_name(proto.dtype)
    if kind not in _TYPES:
        raise ValueError(f"Expected `{name}` of dtype {sorted(_TYPES)}. Received: {kind}")
    shape = shape_of(proto, name)
    count = math.prod(shape)  # Python ints: no overflow for absurd shapes
    if count > max_elements:
        raise ValueError(f"Expected at most {max_elements} elements in `{name}`. Received: shape {list(shape)}")
    _, numpy_dtype, field = _TYPES[kind]
    if kind != "DT_STRING" and proto.tensor_content:
        content = proto.tensor_content
        itemsize = np.dtype(numpy_dtype).itemsize
        if len(content) != count * itemsize:
            raise ValueError(
                f"Expected {count * itemsize} bytes of tensor_content for `{name}` of shape {list(shape)} "
                f"and dtype {kind}. Received: {len(content)} bytes"
            )
        return np.frombuffer(content, numpy_dtype).astype(numpy_dtype[1:]).reshape(shape)
    values = getattr(proto, field)
    if len(values) == count:
        array = np.array(values if kind != "DT_STRING" else list(values), dtype=numpy_dtype)
        return (array if kind == "DT_STRING" else array.astype(numpy_dtype[1:])).reshape(shape)
    if len(values) == 1:  # one value for the whole shape, as tf.make_ndarray reads it
        return np.full(shape, values[0], dtype=numpy_dtype if kind == "DT_STRING" else numpy_dtype[1:])
    raise ValueError(
        f"Expected {count} values (or 1) in {field} for `{name}` of shape {list(shape)}. Received: {len(values)}"
    )


def from_numpy(array):
    """A `TensorProto` of a float32, int32 or int64 array, its elements in `tensor_content`."""
    array = np.asarray(array)
    kind = dtype_of(array.dtype)
    proto = messages.TensorProto(dtype=_TYPES[kind][0])
    for size in array.shape:
        proto.tensor_shape.dim.add(size=size)
    proto.tensor_content = np.ascontiguousarray(array, dtype=_TYPES[kind][1]).tobytes()
    return proto


def _text(shape):
    dims = [d.size for d in shape.dim]
    return "unknown rank" if shape.unknown_rank else str(dims)
