"""onnxruntime execution providers: automatic choice and settings.

The order of preference is TensorRT, then CUDA, then CPU, among the providers
the installed onnxruntime build offers *and can use here*. On Linux x86_64
kgan installs onnxruntime-gpu, which offers CUDA and TensorRT everywhere but
runs them only where a GPU, its driver and the CUDA/cuDNN (and TensorRT)
libraries it was built against are present; otherwise it would log an error
for every session. `usable` checks that quietly, by loading the driver and
the provider's own shared library (which fails when a library it links
against is missing), and the automatic choice skips what is not usable.
"""

import ctypes
import functools
import importlib.metadata
import os
import warnings

TENSORRT = "TensorrtExecutionProvider"
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
PREFERENCE = (TENSORRT, CUDA, CPU)
ALIASES = {"tensorrt": TENSORRT, "trt": TENSORRT, "cuda": CUDA, "gpu": CUDA, "cpu": CPU}
GPU_PROVIDERS = (TENSORRT, CUDA)


def available():
    import onnxruntime

    if len(installed_runtimes()) > 1:
        warnings.warn(
            f"Both {' and '.join(installed_runtimes())} are installed. They share the `onnxruntime` "
            "module, so which providers load depends on install order. kgan installs only one "
            "(onnxruntime-gpu on Linux x86_64); keep that one: "
            "`pip uninstall -y onnxruntime && pip install --force-reinstall --no-deps onnxruntime-gpu`.",
            stacklevel=2,
        )
    return onnxruntime.get_available_providers()


def installed_runtimes():
    """The onnxruntime distributions installed (`onnxruntime`, `onnxruntime-gpu`)."""
    found = []
    for name in ("onnxruntime", "onnxruntime-gpu"):
        try:
            importlib.metadata.version(name)
            found.append(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return found


@functools.cache
def unusable_reason(name):
    """Why provider `name` cannot run here, or None when it can (CPU always can)."""
    if name not in GPU_PROVIDERS:
        return None
    devices = _cuda_devices()
    if isinstance(devices, str):
        return devices
    if devices == 0:
        return "no CUDA device is visible"
    import onnxruntime

    capi = os.path.join(os.path.dirname(onnxruntime.__file__), "capi")
    library = "libonnxruntime_providers_cuda.so" if name == CUDA else "libonnxruntime_providers_tensorrt.so"
    try:
        ctypes.CDLL(os.path.join(capi, "libonnxruntime_providers_shared.so"), mode=ctypes.RTLD_GLOBAL)
        ctypes.CDLL(os.path.join(capi, library))
    except OSError as e:
        return f"its libraries do not load ({e})"
    return None


def usable(name):
    """True if onnxruntime can run provider `name` on this machine."""
    return unusable_reason(name) is None


def _cuda_devices():
    """The number of CUDA devices, or a string saying why there is no driver."""
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return "no NVIDIA driver (libcuda.so.1)"
    count = ctypes.c_int(0)
    if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return "the NVIDIA driver reports no usable device"
    return count.value


def select(providers=None, input_shapes=None, batch_size=256):
    """Returns `(names, options)` for `onnxruntime.InferenceSession`.

    Args:
        providers: None for automatic choice, or a list of provider names
            (`"CUDAExecutionProvider"` or an alias: `"tensorrt"`, `"cuda"`,
            `"cpu"`), or `(name, options)` pairs to override the settings.
        input_shapes: `{input name: shape without the batch dim}`, used for
            TensorRT's dynamic-batch profile.
        batch_size: largest batch, the top of TensorRT's profile.
    """
    offered = available()
    if providers is None:
        names = [name for name in PREFERENCE if name in offered and usable(name)] or [CPU]
        return names, [default_options(name, input_shapes, batch_size) for name in names]
    if isinstance(providers, str):
        providers = [providers]
    names, options = [], []
    for entry in providers:
        name, opts = entry if isinstance(entry, tuple) else (entry, None)
        name = ALIASES.get(str(name).lower(), name)
        if name not in offered:
            raise ValueError(
                f"Expected providers offered by this onnxruntime build: {offered} "
                f"(or aliases {sorted(ALIASES)}). Received: providers={providers!r}"
            )
        if not usable(name):
            raise ValueError(
                f"Expected a provider that can run here. Received: {name}, which cannot: "
                f"{unusable_reason(name)}"
            )
        names.append(name)
        options.append(default_options(name, input_shapes, batch_size) if opts is None else dict(opts))
    return names, options


def default_options(name, input_shapes=None, batch_size=256):
    """kgan's settings for one provider."""
    if name == CUDA:
        # Search conv algorithms exhaustively once per shape: kgan feeds
        # fixed-size batches, so the search pays off after the first call.
        return {
            "cudnn_conv_algo_search": "EXHAUSTIVE",
            "cudnn_conv_use_max_workspace": "1",
            "do_copy_in_default_stream": "1",
        }
    if name == TENSORRT:
        options = {
            "trt_engine_cache_enable": "True",
            "trt_engine_cache_path": _trt_cache_dir(),
            "trt_timing_cache_enable": "True",
        }
        if input_shapes:
            options.update(_trt_profile(input_shapes, batch_size))
        return options
    return {}


def _trt_profile(input_shapes, batch_size):
    # One optimization profile covering batch 1..batch_size, so TensorRT
    # builds its engine once instead of on every new batch size.
    def shapes(batch):
        return ",".join(
            f"{name}:" + "x".join(str(d) for d in (batch, *shape)) for name, shape in input_shapes.items()
        )

    return {
        "trt_profile_min_shapes": shapes(1),
        "trt_profile_opt_shapes": shapes(batch_size),
        "trt_profile_max_shapes": shapes(batch_size),
    }


def _trt_cache_dir():
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "kgan", "tensorrt")
