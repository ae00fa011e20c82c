"""What kgan sees of the machine: versions, CPU, threads, GPUs, XLA, precision, providers, cluster.

`kgan info` with no path prints it. Everything here is read, nothing is changed.
"""

import importlib.metadata
import json
import os
import platform

CPUINFO = "/proc/cpuinfo"  # Linux; elsewhere the CPU's flags read as none
CPU_FEATURES = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile")


def describe():
    """A JSON-able dict of what training, export and serving will use here."""
    import keras
    import tensorflow as tf

    from kgan import compilation
    from kgan.inference import providers

    gpus = [device.name for device in tf.config.list_physical_devices("GPU")]
    offered = providers.available()
    return {
        "versions": _versions(),
        "cpu": _cpu(),
        "threads": {
            "tensorflow_intra_op": tf.config.threading.get_intra_op_parallelism_threads() or "default (one per core)",
            "tensorflow_inter_op": tf.config.threading.get_inter_op_parallelism_threads() or "default",
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        },
        "gpus": gpus,
        "xla": compilation.resolve_jit_compile("auto"),
        "mixed_precision": keras.config.dtype_policy().name,
        "onnxruntime": {
            "offered": offered,
            "usable": {name: providers.unusable_reason(name) or "yes" for name in offered},
            "chosen": providers.select()[0],
        },
        "tf_config": _cluster(),
    }


def _versions():
    found = {"python": platform.python_version()}
    for package in ("kgan", "tensorflow", "tensorflow-cpu", "keras", "onnxruntime", "onnxruntime-gpu", "numpy"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return found


def cpu_flags():
    """The CPU's feature flags as Linux reports them (/proc/cpuinfo); empty elsewhere."""
    return _read_cpuinfo()[1]


def gpu_compute_capabilities():
    """The CUDA compute capability `(major, minor)` of each visible GPU (`(0, 0)` when not reported)."""
    import tensorflow as tf

    return [
        tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability") or (0, 0))
        for gpu in tf.config.list_physical_devices("GPU")
    ]


def _cpu():
    model, flags = _read_cpuinfo()
    return {"model": model, "cores": os.cpu_count(), "features": [f for f in CPU_FEATURES if f in flags]}


def _read_cpuinfo():
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open(CPUINFO) as f:
            for line in f:
                if line.startswith("model name") and ":" in line:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and ":" in line:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return model, frozenset(flags)


def cluster_size():
    """The number of workers `TF_CONFIG` declares (1 without it)."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        return 1
    try:
        cluster = json.loads(text).get("cluster", {})
    except json.JSONDecodeError as e:
        raise ValueError(f"Expected TF_CONFIG to hold JSON. Received: {text[:80]!r} ({e})") from None
    return sum(len(cluster.get(kind, [])) for kind in ("chief", "worker"))


def _cluster():
    text = os.environ.get("TF_CONFIG")
    if not text:
        return None
    return {"workers": cluster_size(), "task": json.loads(text).get("task")}
