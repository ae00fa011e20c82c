"""`kgan.precision`: what `--precision auto` picks per family and machine, and the policy scope.

The machine is always given or monkeypatched: nothing here depends on this
machine's CPU or GPUs.
"""

import keras
import pytest

from kgan import machine
from kgan import precision

NO_GPU = []


@pytest.mark.parametrize(
    "gpus,flags,expected",
    [
        (NO_GPU, {"avx2", "avx512_bf16"}, "mixed_bfloat16"),
        (NO_GPU, {"amx_bf16", "amx_tile"}, "mixed_bfloat16"),
        (NO_GPU, {"avx2", "avx512f"}, "float32"),  # bfloat16 would be emulated
        (NO_GPU, set(), "float32"),  # no /proc/cpuinfo (macOS, Windows)
        ([(7, 0)], {"avx512_bf16"}, "mixed_float16"),  # the GPU trains, not the CPU
        ([(8, 6), (8, 6)], set(), "mixed_float16"),
        ([(6, 1)], {"avx512_bf16"}, "float32"),  # no float16 tensor cores, and bfloat16 on it is emulated
        ([(8, 0), (6, 0)], set(), "float32"),  # the oldest GPU decides
    ],
)
def test_auto_for_a_family_that_opts_in(gpus, flags, expected):
    policy, reason = precision.resolve("auto", True, gpu_capabilities=gpus, cpu_flags=flags, family="gan")
    assert policy == expected
    assert reason.startswith("auto for the gan family: ")


def test_auto_reasons_name_what_decided():
    assert precision.resolve("auto", True, [], {"avx512_bf16"})[1] == (
        "auto: no GPU, and the CPU has native bfloat16 (avx512_bf16)")
    assert precision.resolve("auto", True, [], {"avx2"})[1] == (
        "auto: no GPU, and the CPU has no native bfloat16 (avx512_bf16 or amx_bf16)")
    assert precision.resolve("auto", True, [(7, 5)], set())[1] == (
        "auto: a GPU of compute capability 7.5 (>= 7.0: float16 tensor cores)")
    assert precision.resolve("auto", True, [(6, 1)], set())[1] == (
        "auto: a GPU of compute capability 6.1 (< 7.0: no float16 tensor cores)")


@pytest.mark.parametrize("gpus,flags", [(NO_GPU, {"avx512_bf16"}), ([(9, 0)], set()), (NO_GPU, set())])
def test_auto_for_a_family_that_does_not_opt_in_is_float32(gpus, flags):
    policy, reason = precision.resolve("auto", False, gpu_capabilities=gpus, cpu_flags=flags, family="pix2pix")
    assert policy == "float32"
    assert reason == "auto for the pix2pix family: float32 until its quality is measured in reduced precision"


@pytest.mark.parametrize("name", ["float32", "mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("opts_in", [True, False])
def test_an_explicit_precision_is_kept_on_any_machine(name, opts_in):
    for gpus, flags in ((NO_GPU, set()), (NO_GPU, {"avx512_bf16"}), ([(8, 0)], set())):
        assert precision.resolve(name, opts_in, gpus, flags) == (name, f"--precision {name}")


def test_auto_reads_the_machine_when_not_given(monkeypatch):
    monkeypatch.setattr(machine, "gpu_compute_capabilities", lambda: [])
    monkeypatch.setattr(machine, "cpu_flags", lambda: frozenset({"sse4_2", "amx_bf16"}))
    assert precision.resolve("auto", True)[0] == "mixed_bfloat16"
    monkeypatch.setattr(machine, "cpu_flags", lambda: frozenset({"sse4_2"}))
    assert precision.resolve("auto", True)[0] == "float32"
    monkeypatch.setattr(machine, "gpu_compute_capabilities", lambda: [(7, 0)])
    assert precision.resolve("auto", True)[0] == "mixed_float16"


def test_cpu_flags_come_from_cpuinfo(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu avx2 avx512_bf16\n\n")
    monkeypatch.setattr(machine, "CPUINFO", str(cpuinfo))
    assert machine.cpu_flags() == {"fpu", "avx2", "avx512_bf16"}
    monkeypatch.setattr(machine, "CPUINFO", str(tmp_path / "absent"))
    assert machine.cpu_flags() == set()


@pytest.mark.parametrize("bad", ["bf16", "bfloat16", "AUTO", None, 16])
def test_bad_precision(bad):
    with pytest.raises(ValueError, match=r"Expected `precision` to be one of \['auto', 'float32', "
                                         r"'mixed_bfloat16', 'mixed_float16'\]. Received: precision="):
        precision.resolve(bad, True, [], set())


def test_policy_scope_sets_and_restores_the_callers_policy():
    assert keras.config.dtype_policy().name == "float32"
    with precision.policy("mixed_bfloat16"):
        assert keras.layers.Dense(2).compute_dtype == "bfloat16"
        with precision.policy("float32"):
            assert keras.layers.Dense(2).compute_dtype == "float32"
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(RuntimeError):
        with precision.policy("mixed_float16"):
            raise RuntimeError("the policy is restored on errors too")
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(ValueError, match="Expected `precision` to be one of"):
        with precision.policy("auto"):  # a concrete policy only
            pass
