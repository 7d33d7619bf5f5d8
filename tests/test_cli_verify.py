"""`mipsc verify SPEC MODULE.py`: exit 0 when every level passes, 1 with the counterexample
otherwise, and a clean message (never a traceback) for every module that cannot be checked."""

from __future__ import annotations

import json
import time

import pytest

from mipsdsl.cli import main
from tests.conftest import SPECS
from tests.test_verify import ADD_MOD_3_MODULE

SPEC = str(SPECS / "add_mod_3.mips")
QUICK = ["-n", "2000", "--longer", "200"]


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    return status, out, err


@pytest.fixture
def write_module(tmp_path):
    def write(body: str, name: str = "candidate.py"):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return str(path)

    return write


def test_a_correct_module_passes_every_level(capsys, write_module):
    status, out, _ = run(capsys, "verify", SPEC, write_module(ADD_MOD_3_MODULE), *QUICK)
    assert status == 0
    assert "held-out    2,000 sequences from the spec's generator, length 10: passed" in out
    assert "exhaustive  all 59,049 sequences of length 10: passed" in out
    assert "longer      200 sequences of length 100, from the spec's generator: passed" in out
    assert out.rstrip().endswith("add_mod_3: verified")


def test_a_wrong_module_fails_with_its_counterexample(capsys, write_module):
    wrong = write_module(ADD_MOD_3_MODULE.replace("% 3", "% 4"))
    status, out, _ = run(capsys, "verify", SPEC, wrong, *QUICK)
    assert status == 1
    assert "exhaustive  all 59,049 sequences of length 10: FAILED" in out
    assert "sequence #5 (length 10); first wrong output at t = 9" in out
    assert "t  x  expected y  got y" in out
    assert out.rstrip().endswith("add_mod_3: NOT verified")


def test_json_output(capsys, write_module):
    wrong = write_module(ADD_MOD_3_MODULE.replace("% 3", "% 4"))
    status, out, _ = run(capsys, "verify", "--json", SPEC, wrong, *QUICK)
    report = json.loads(out)
    assert status == 1 and report["verdict"]["passed"] is False
    assert report["spec"]["path"] == SPEC and len(report["spec"]["sha256"]) == 64
    exhaustive = report["verdict"]["levels"][1]
    assert exhaustive["counterexample"]["inputs"] == [[0]] * 8 + [[1], [2]]


def test_a_module_that_prints_cannot_spoil_the_json(capsys, write_module):
    noisy = write_module(
        "import os\nprint('hello')\nos.write(1, b'raw')\n"
        + ADD_MOD_3_MODULE.replace("s, ys", "print(xs)\n    s, ys")
    )
    status, out, err = run(capsys, "verify", "--json", SPEC, noisy, *QUICK)
    assert status == 0 and json.loads(out)["verdict"]["passed"]
    assert "hello" in err and "raw" in err


@pytest.mark.parametrize(
    "body, message",
    [
        ("def run(xs)\n    return xs\n", "cannot import"),  # a syntax error
        ("raise RuntimeError('boom')\n", "cannot import '{path}': RuntimeError: boom"),
        ("import sys\nsys.exit(4)\n", "cannot import '{path}': SystemExit: 4"),
        ("def step(state, x):\n    return state, x\n", "'{path}' defines no function run(xs)"),
        ("run = 3\n", "'{path}' defines no function run(xs)"),
    ],
)
def test_modules_that_cannot_be_checked_are_clean_errors(capsys, write_module, body, message):
    path = write_module(body)
    status, _, err = run(capsys, "verify", SPEC, path, *QUICK)
    assert status == 1
    assert f"mipsc: error: {message.format(path=path)}" in err


@pytest.mark.parametrize(
    "body, message",
    [
        ("def run(xs):\n    return [1 // x for x in xs]\n", "run() raised ZeroDivisionError"),
        (
            "def run(xs):\n    return [(x,) for x in xs]\n",
            "output at t = 0: expected an int, got tuple",
        ),
        ("def run(xs):\n    return xs[1:]\n", "run() returned 9 outputs for 10 inputs"),
        ("def run(xs):\n    return [int(input()) for x in xs]\n", "run() raised EOFError"),
    ],
)
def test_modules_that_fail_while_running_fail_verification(capsys, write_module, body, message):
    status, out, _ = run(capsys, "verify", SPEC, write_module(body), *QUICK)
    assert status == 1
    assert f"error: {message}" in out and "NOT verified" in out


def test_missing_files_and_bad_specs(capsys, write_module, tmp_path, write_spec):
    module = write_module(ADD_MOD_3_MODULE)
    status, _, err = run(capsys, "verify", SPEC, str(tmp_path / "nope.py"))
    assert status == 2 and "does not exist" in err
    status, _, err = run(capsys, "verify", SPEC, str(tmp_path))
    assert status == 2 and "is a directory" in err
    assert run(capsys, "verify", str(tmp_path / "nope.mips"), module)[0] == 2
    bad = write_spec("task d\ninput x in {0, 1}\nlength 4\noutput y = z\n")
    status, _, err = run(capsys, "verify", str(bad), module)
    assert status == 1 and "unknown name 'z'" in err
    with pytest.raises(SystemExit) as info:
        main(["verify", SPEC, module, "-n", "0"])
    assert info.value.code == 2


# ------------------------------------------------------- modules that hang or end the process

FAST_TIMEOUT = ["--timeout", "0.5"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("import os\ndef run(xs):\n    os._exit(0)\n", "run() ended its process (exit status 0)"),
        (
            "import ctypes\ndef run(xs):\n    return ctypes.string_at(0)\n",
            "run() ended its process (killed by signal SIGSEGV)",
        ),
        ("def run(xs):\n    while True:\n        pass\n", "run() did not return within 0.5 s"),
        (
            "def run(xs):\n    while True:\n        yield 0\n",
            "run() returned more than 10 outputs for 10 inputs",
        ),
        (
            "def run(xs):\n    yield 0\n    while True:\n        pass\n",
            "run() did not return within 0.5 s",
        ),
    ],
)
def test_a_module_that_hangs_or_ends_its_process_fails_naming_level_and_sequence(
    capsys, write_module, body, message
):
    started = time.monotonic()
    status, out, _ = run(capsys, "verify", SPEC, write_module(body), *QUICK, *FAST_TIMEOUT)
    assert status == 1 and out.rstrip().endswith("add_mod_3: NOT verified")
    assert "held-out    2,000 sequences from the spec's generator, length 10: FAILED" in out
    assert f"held-out: counterexample\nsequence #0 (length 10)\nerror: {message}" in out
    assert time.monotonic() - started < 10  # three levels, each stopped after 0.5 s at most


def test_a_module_that_fails_on_one_sequence_only_is_caught_there(capsys, write_module):
    body = ADD_MOD_3_MODULE.replace(
        "return ys", "if xs[:3] == [2, 1, 0]:\n        while True:\n            pass\n    return ys"
    )
    status, out, _ = run(capsys, "verify", SPEC, write_module(body), *QUICK, *FAST_TIMEOUT)
    assert status == 1
    assert "exhaustive  all 59,049 sequences of length 10: FAILED" in out
    # in lexicographic order, 2 1 0 0 ... 0 is the first sequence starting with 2 1 0
    assert f"sequence #{2 * 3**9 + 3**8} (length 10)\nerror: run() did not return" in out


@pytest.mark.parametrize(
    "body, message",
    [
        ("while True:\n    pass\n", "cannot import '{path}': it did not finish within 0.5 s"),
        (
            "import os\nos._exit(0)\n",
            "cannot import '{path}': it ended its process (exit status 0)",
        ),
    ],
)
def test_a_module_that_hangs_or_ends_its_process_at_import_is_an_error(
    capsys, write_module, body, message
):
    path = write_module(body)
    status, out, err = run(capsys, "verify", SPEC, path, *QUICK, *FAST_TIMEOUT)
    assert status == 1 and out == ""
    assert f"mipsc: error: {message.format(path=path)}" in err


def test_outputs_beyond_64_bits_are_compared_exactly(capsys, write_module):
    """2**64 + y is y in int64 arithmetic; the verifier must see that it is wrong."""
    shifted = write_module(ADD_MOD_3_MODULE.replace("ys.append(s)", "ys.append(s + 2**64)"))
    status, out, _ = run(capsys, "verify", SPEC, shifted, *QUICK)
    assert status == 1
    assert "sequence #0 (length 10); first wrong output at t = 0" in out
    assert str(2**64) in out


DOUBLING_SPEC = """task doubling "s doubles at every step."
input x in {0, 1}
length 10
state s = 1
update s = s * 2
output y = s
"""
DOUBLING_MODULE = """
def run(xs):
    s, ys = 1, []
    for x in xs:
        s = s * 2
        ys.append(s)
    return ys
"""


def test_a_module_whose_outputs_grow_like_2_to_the_t_verifies_at_10x_the_length(
    capsys, write_module, write_spec
):
    spec = write_spec(DOUBLING_SPEC)
    status, out, _ = run(capsys, "verify", str(spec), write_module(DOUBLING_MODULE), *QUICK)
    assert status == 0, out
    assert "longer      200 sequences of length 100, from the spec's generator: passed" in out
    wrapped = write_module(DOUBLING_MODULE.replace("s = s * 2", "s = s * 2 % 2**64"))
    status, out, _ = run(capsys, "verify", str(spec), wrapped, *QUICK)
    assert status == 1 and "longer      200 sequences of length 100" in out
    assert "sequence #0 (length 100); first wrong output at t = 63" in out


def test_the_timeout_option_is_checked(capsys, write_module):
    module = write_module(ADD_MOD_3_MODULE)
    assert run(capsys, "verify", SPEC, module, *QUICK, "--timeout", "2.5")[0] == 0
    for bad in ["0", "-1", "nan", "soon"]:
        with pytest.raises(SystemExit) as info:
            main(["verify", SPEC, module, "--timeout", bad])
        assert info.value.code == 2
