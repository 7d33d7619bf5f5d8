"""`mipsc verify SPEC MODULE.py`: exit 0 when every level passes, 1 with the counterexample
otherwise, and a clean message (never a traceback) for every module that cannot be checked."""

from __future__ import annotations

import json

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
        "print('hello')\n" + ADD_MOD_3_MODULE.replace("s, ys", "print(xs)\n    s, ys")
    )
    status, out, err = run(capsys, "verify", "--json", SPEC, noisy, *QUICK)
    assert status == 0 and json.loads(out)["verdict"]["passed"]
    assert "hello" in err


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
