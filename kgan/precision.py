"""Run-level precision: the Keras dtype policy a training run builds its networks in.

`kgan train --precision` takes `float32`, `mixed_bfloat16`, `mixed_float16`
or `auto` (the default), which picks per family and machine:

- a family that opts in (its `DEFAULTS["reduced_precision"]`, set once its
  quality was measured to hold in reduced precision):
  - `mixed_float16` on a CUDA GPU of compute capability >= 7.0 (float16
    tensor cores; optimizers are wrapped in `LossScaleOptimizer`);
  - `mixed_bfloat16` with no GPU, on a CPU with native bfloat16
    (`avx512_bf16` or `amx_bf16` among its flags);
  - `float32` otherwise (older GPUs, or CPUs that would emulate bfloat16);
- any other family: `float32`.

Under a mixed policy layers compute in 16 bits and keep float32 variables;
kgan's networks keep their outputs (images, logits) in float32. Keras reads
the global policy when a layer is constructed and stores it in the layer's
config, so the policy matters while networks are built, and a `.keras` file
loads in the precision it was trained in whatever the global policy is.

```python
from kgan import precision

policy, reason = precision.resolve("auto", family_opts_in=True, gpu_capabilities=[], cpu_flags={"avx512_bf16"})
assert policy == "mixed_bfloat16"
with precision.policy(policy):
    ...  # networks built here compute in bfloat16
```
"""

import contextlib

from kgan import checks

POLICIES = ("auto", "float32", "mixed_bfloat16", "mixed_float16")
NATIVE_BFLOAT16 = ("avx512_bf16", "amx_bf16")
# Volta and later have float16 tensor cores; Keras' mixed-precision guide
# names compute capability 7.0 as where mixed_float16 pays off.
MIN_FLOAT16_CAPABILITY = (7, 0)


def resolve(precision="auto", family_opts_in=False, gpu_capabilities=None, cpu_flags=None, family=None):
    """Resolves a `--precision` value to a Keras dtype policy name.

    Args:
        precision: one of `POLICIES`.
        family_opts_in: whether `"auto"` may pick a reduced precision for the
            run's family.
        gpu_capabilities: the `(major, minor)` compute capability of each
            GPU; detected when None (`kgan.machine`).
        cpu_flags: the CPU's feature flags; read when None (`kgan.machine`).
        family: the family's name, for the reason.

    Returns:
        `(policy, reason)`: the policy name, and why it was chosen.
    """
    checks.one_of("precision", precision, POLICIES)
    if precision != "auto":
        return precision, f"--precision {precision}"
    why = "auto" + (f" for the {family} family" if family else "") + ": "
    if not family_opts_in:
        return "float32", why + "float32 until its quality is measured in reduced precision"
    from kgan import machine

    if gpu_capabilities is None:
        gpu_capabilities = machine.gpu_compute_capabilities()
    if gpu_capabilities:
        policy, reason = _on_gpus(gpu_capabilities)
        return policy, why + reason
    if cpu_flags is None:
        cpu_flags = machine.cpu_flags()
    native = [flag for flag in NATIVE_BFLOAT16 if flag in cpu_flags]
    if native:
        return "mixed_bfloat16", why + f"no GPU, and the CPU has native bfloat16 ({', '.join(native)})"
    return "float32", why + f"no GPU, and the CPU has no native bfloat16 ({' or '.join(NATIVE_BFLOAT16)})"


def _on_gpus(capabilities):
    # Every replica must compute alike: the oldest GPU decides.
    lowest = min(tuple(c) for c in capabilities)
    shown = ".".join(str(part) for part in lowest)
    if lowest >= MIN_FLOAT16_CAPABILITY:
        return "mixed_float16", f"a GPU of compute capability {shown} (>= 7.0: float16 tensor cores)"
    return "float32", f"a GPU of compute capability {shown} (< 7.0: no float16 tensor cores)"


@contextlib.contextmanager
def policy(name):
    """Sets Keras' global dtype policy to `name` for the block, then restores the previous one.

    Layers constructed in the block take the policy (and keep it: it is in
    their config); the caller's own policy is back afterwards.
    """
    import keras

    checks.one_of("precision", name, POLICIES[1:])
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield name
    finally:
        keras.config.set_dtype_policy(previous)

