"""kgan.inference.providers: automatic choice, aliases, settings."""

import pytest

from kgan.inference import providers


GPU_BUILD = ["AzureExecutionProvider", "CPUExecutionProvider", "CUDAExecutionProvider", "TensorrtExecutionProvider"]


def on_a_gpu_machine(monkeypatch, offered=GPU_BUILD):
    monkeypatch.setattr(providers, "available", lambda: offered)
    monkeypatch.setattr(providers, "usable", lambda name: True)


def test_automatic_choice_prefers_tensorrt_then_cuda_then_cpu(monkeypatch):
    on_a_gpu_machine(monkeypatch)
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
    on_a_gpu_machine(monkeypatch, [providers.CUDA, providers.CPU])
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


def test_gpu_providers_a_gpu_build_offers_are_skipped_without_a_gpu(monkeypatch, capfd):
    # onnxruntime-gpu offers CUDA and TensorRT on any machine; this one has no NVIDIA driver.
    monkeypatch.setattr(providers, "available", lambda: GPU_BUILD)
    providers.unusable_reason.cache_clear()
    assert "no NVIDIA driver" in providers.unusable_reason(providers.CUDA)
    assert providers.usable(providers.CPU)
    assert providers.select()[0] == [providers.CPU]
    with pytest.raises(ValueError, match=r"Received: CUDAExecutionProvider, which cannot: no NVIDIA driver"):
        providers.select(["cuda"])
    assert capfd.readouterr().err == ""  # nothing printed on a CPU-only machine


def test_a_session_on_this_machine_logs_nothing(capfd):
    import onnxruntime
    from onnx import TensorProto
    from onnx import helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    # IR 8 is what tf2onnx writes for opset 17; onnx's default IR can be newer than a GPU wheel reads.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    names, options = providers.select()
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=names, provider_options=options)
    assert session.run(["y"], {"x": [-1.0]})[0].tolist() == [0.0]
    assert "error" not in capfd.readouterr().err.lower()
