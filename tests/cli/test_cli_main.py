"""`kgan` and every subcommand answer --help with examples."""

import os
import subprocess
import sys

import pytest

from kgan import cli


def registered_subcommands():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_top_level_help(run_kgan):
    result = run_kgan("--help")
    assert result.code == 0
    assert "examples:" in result.out
    for name in ("train", "sample"):
        assert f"    {name} " in result.out


def test_no_command_prints_help_and_fails(run_kgan):
    result = run_kgan()
    assert result.code == 2
    assert "usage: kgan" in result.out


def test_version(run_kgan):
    import kgan

    result = run_kgan("--version")
    assert result.code == 0 and result.out.strip() == f"kgan {kgan.__version__}"


def test_train_and_sample_are_registered():
    assert {"train", "sample"} <= set(registered_subcommands())


@pytest.mark.parametrize("command", registered_subcommands())
def test_subcommand_help_has_examples(run_kgan, command):
    result = run_kgan(command, "--help")
    assert result.code == 0
    assert f"usage: kgan {command}" in result.out
    assert "examples:" in result.out
    assert f"kgan {command}" in result.out.split("examples:")[1]


def test_unknown_command_is_a_usage_error(run_kgan):
    result = run_kgan("trian")
    assert result.code == 2
    assert "invalid choice: 'trian'" in result.err


def test_help_does_not_load_tensorflow_and_training_still_imports():
    # A fresh interpreter: this test process has TensorFlow loaded already.
    code = (
        "import sys, kgan.cli\n"
        "kgan.cli.build_parser()\n"
        "assert 'tensorflow' not in sys.modules, 'kgan --help imported TensorFlow'\n"
        "from kgan import training\n"
        "assert callable(training.train) and callable(training.resume) and training.run.resolve\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
