"""`kgan serve` in a real process: starts, answers, and stops cleanly on SIGTERM/SIGINT."""

import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import httpx
import pytest

from kgan.cli import main

STARTUP_TIMEOUT = 120  # the CLI imports every subcommand; on a busy 2-core machine that takes a while


def _start(args):
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(r"serving at (http://\S+)", line)
        if match:
            return process, match.group(1), lines, seen
    process.kill()
    pytest.fail("server did not start:\n" + "".join(seen))


def _finish(process, lines, seen, timeout=30):
    assert process.wait(timeout=timeout) == 0, "".join(seen)
    while not lines.empty():
        seen.append(lines.get())
    return "".join(seen)


def test_cli_serves_and_stops_on_sigterm(exports):
    process, url, lines, seen = _start(
        [sys.executable, "-m", "kgan", "serve", str(exports / "digits"), "--port", "0", "--versions", "2",
         "--grpc-port", "0", "--version-labels", "stable=2"]
    )
    try:
        status = httpx.get(f"{url}/v1/models/digits", timeout=10).json()
        assert [s["version"] for s in status["model_version_status"]] == ["2"]
        stable = httpx.get(f"{url}/v1/models/digits/labels/stable/metadata", timeout=10).json()
        assert stable["model_spec"]["version"] == "2"
        address = re.search(r"gRPC \(TF Serving, KServe v2\) at (\S+)", "".join(seen)).group(1)
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(address)
        assert client.is_model_ready("digits", "2") and not client.is_model_ready("digits", "1")
        client.close()
    finally:
        process.send_signal(signal.SIGTERM)
    log = _finish(process, lines, seen)
    assert "GET /v1/models/digits 200" in log and "stopped by SIGTERM" in log
    assert "gRPC /inference.GRPCInferenceService/ModelReady OK" in log


NO_GRPC = """
import sys
sys.modules["grpc"] = None  # as if grpcio were not installed
from kgan.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_serves_rest_without_grpcio(exports):
    args = [sys.executable, "-c", NO_GRPC, "serve", str(exports / "noise"), "--port", "0"]
    asked = subprocess.run(args + ["--grpc-port", "0"], capture_output=True, text=True, timeout=STARTUP_TIMEOUT)
    assert asked.returncode == 2 and 'pip install "kgan[grpc]"' in asked.stderr
    process, url, lines, seen = _start(args)
    try:
        assert httpx.get(f"{url}/v2/health/ready", timeout=10).json() == {"ready": True}
    finally:
        process.send_signal(signal.SIGTERM)
    log = _finish(process, lines, seen)
    assert "gRPC off (REST and KServe v2 HTTP only)" in log


SLOW_SERVER = """
import logging, sys, time
from kgan import serving
logging.basicConfig(level="INFO")
model = serving.load_model(sys.argv[1])
generator = model.versions[model.latest]
run = generator._run
generator._run = lambda feeds: (time.sleep(1.5), run(feeds))[1]
serving.serve(serving.create_app(model), serving.bind("127.0.0.1", 0))
"""


def test_sigint_lets_the_request_in_flight_finish(exports):
    script = [sys.executable, "-c", textwrap.dedent(SLOW_SERVER), str(exports / "noise")]
    process, url, lines, seen = _start(script)
    answer = {}

    def ask():
        body = {"signature_name": "sample", "inputs": {"n": 1, "seed": 0}}
        answer["response"] = httpx.post(f"{url}/v1/models/noise:predict", json=body, timeout=30)

    client = threading.Thread(target=ask)
    client.start()
    time.sleep(0.5)  # the request is now inside the slow model
    process.send_signal(signal.SIGINT)
    client.join(30)
    log = _finish(process, lines, seen)
    assert answer["response"].status_code == 200
    assert "stopped by SIGINT" in log


def test_cli_errors_exit_2(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "missing")]) == 2
    assert "Expected an exported model" in capsys.readouterr().err
    assert main(["serve", str(tmp_path), "--versions", "one"]) == 2
    assert main(["serve", str(tmp_path), "--max-batch", "0"]) == 2
    assert main(["serve", str(tmp_path), "--version-labels", "stable"]) == 2
    assert "--version-labels expects labels like 'stable=1,canary=2'" in capsys.readouterr().err
