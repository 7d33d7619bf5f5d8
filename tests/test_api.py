"""The Python API as a notebook meets it: the names import from `mipsdsl` without loading torch,
`compile_spec` returns everything it made (program, verdict, proof, extraction, network), and its
stage messages go through the "mipsdsl" logger, which a caller can capture or silence."""

from __future__ import annotations

import logging
import subprocess
import sys

import mipsdsl
from tests.conftest import ROOT, SPECS


def test_the_api_imports_lazily_without_torch():
    script = (
        "import sys, mipsdsl\n"
        "from mipsdsl import compile_spec, CompileOptions, load_task, verify\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "import mipsdsl.verify\n"
        "assert verify is mipsdsl.verify and callable(verify) and verify.VerifyOptions\n"
        "print(compile_spec.__module__, CompileOptions.__module__, load_task.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["mipsdsl.pipeline", "mipsdsl.pipeline", "mipsdsl.check"]


def test_an_unknown_name_is_an_attribute_error():
    try:
        mipsdsl.compile_everything  # noqa: B018
    except AttributeError as exc:
        assert "compile_everything" in str(exc)
    else:
        raise AssertionError("mipsdsl.compile_everything exists")


def test_the_package_says_it_is_typed():
    assert (ROOT / "mipsdsl" / "py.typed").is_file()


def test_compile_spec_returns_the_program_the_machine_and_the_network(
    trained, training_cache, tmp_path, monkeypatch, caplog
):
    from mipsdsl import CompileOptions, compile_spec, load_task, verify

    trained("parity_all")
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(training_cache))
    options = CompileOptions(output_dir=tmp_path)
    with caplog.at_level(logging.INFO, logger="mipsdsl"):
        result = compile_spec(SPECS / "parity_all.mips", options)
    assert "parity_all: training" in caplog.messages
    assert any(m.startswith("parity_all: writing") for m in caplog.messages)
    assert not result.up_to_date and result.path == tmp_path / "parity_all.py"
    assert result.verdict.passed and result.proof.proved == "every length"
    assert result.extraction.path == "finite-state machine" and result.extraction.details
    assert result.network.arch.describe() == result.summary["architecture"]
    task, _ = load_task(SPECS / "parity_all.mips")
    assert verify(task, result.program).passed
    xs = [[1, 0, 1, 1]]
    import numpy as np

    assert result.program.run(np.array(xs)[..., None])[0, :, 0].tolist() == [1, 1, 0, 1]
    assert result.to_json()["search"]["details"] == result.extraction.details
    # up to date: nothing runs, and a silenced logger says nothing
    caplog.clear()
    logging.getLogger("mipsdsl").setLevel(logging.WARNING)
    try:
        again = compile_spec(SPECS / "parity_all.mips", options)
    finally:
        logging.getLogger("mipsdsl").setLevel(logging.NOTSET)
    assert again.up_to_date and again.program is None and again.summary == result.summary
    assert caplog.messages == []
