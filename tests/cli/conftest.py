"""Fixtures for CLI tests: `run_kgan` (in-process `kgan.cli.main`) and a finished tiny run."""

import contextlib
import io

import numpy as np
import pytest

from kgan import cli


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return f"Result(code={self.code!r}, out={self.out[-500:]!r}, err={self.err[-500:]!r})"


def call_main(capsys, *argv):
    capsys.readouterr()  # drop earlier output
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:  # argparse: --help, --version, usage errors
        code = e.code
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@pytest.fixture
def run_kgan(capsys):
    """Returns `run(*argv) -> Result(code, out, err)` calling `kgan.cli.main(argv)`."""
    return lambda *argv: call_main(capsys, *argv)


@pytest.fixture(scope="session")
def cli_digits_npz(digits_npz):
    """128 labelled 8x8 digits (all ten classes), from tests/conftest.py."""
    return digits_npz


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory, cli_digits_npz):
    """`kgan train` of a 2-epoch conditional dcgan_tiny: `(Result, run_dir)`."""
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    argv = ["train", "--dataset", cli_digits_npz, "--preset", "dcgan_tiny", "--epochs", "2",
            "--image-size", "8", "--no-export", "--out", str(run_dir), "--quiet"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return Result(code, out.getvalue(), err.getvalue()), str(run_dir)
