"""kgan.inference.providers: automatic choice, aliases, settings."""

import pytest

from kgan.inference import providers


def test_automatic_choice_prefers_tensorrt_then_cuda_then_cpu(monkeypatch):
    offered = ["AzureExecutionProvider", "CPUExecutionProvider", "CUDAExecutionProvider", "TensorrtExecutionProvider"]
    monkeypatch.setattr(providers, "available", lambda: offered)
    names, options = providers.select(input_shapes={"z": [8], "labels": []}, batch_size=64)
    assert names == [providers.TENSORRT, providers.CUDA, providers.CPU]
    trt, cuda, cpu = options
    assert trt["trt_profile_min_shapes"] == "z:1x8,labels:1"
    assert trt["trt_profile_max_shapes"] == "z:64x8,labels:64"
    assert trt["trt_engine_cache_enable"] == "True"
    assert cuda["cudnn_conv_algo_search"] == "EXHAUSTIVE"
    assert cpu == {}


def test_cpu_only_build_chooses_cpu():
    names, options = providers.select()
    assert names[-1] == providers.CPU and "AzureExecutionProvider" not in names


def test_overrides_aliases_and_options(monkeypatch):
    monkeypatch.setattr(providers, "available", lambda: [providers.CUDA, providers.CPU])
    names, options = providers.select(["cuda", "cpu"])
    assert names == [providers.CUDA, providers.CPU]
    names, options = providers.select([(providers.CUDA, {"device_id": 1}), "CPU"])
    assert options[0] == {"device_id": 1}
    assert providers.select("cpu")[0] == [providers.CPU]
    expected = r"Expected providers offered by this onnxruntime build.*Received: providers=\['tensorrt'\]"
    with pytest.raises(ValueError, match=expected):
        providers.select(["tensorrt"])


def test_warns_when_cpu_and_gpu_runtimes_are_both_installed(monkeypatch):
    monkeypatch.setattr(providers, "installed_runtimes", lambda: ["onnxruntime", "onnxruntime-gpu"])
    with pytest.warns(UserWarning, match="share the `onnxruntime` module"):
        providers.available()
