"""The fuzzing benchmark (benchmarks/fuzz.py) on a few hundred inputs: no internal errors and no
wrong labels (issue 14), and the pure-Python reference it judges labels by."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "fuzz.py"


def load_fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_fuzz(tmp_path, *args: str) -> dict:
    """In a child process: the fuzzer sets an address-space limit and MIPSDSL_DEBUG on itself."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / "fuzz.json").read_text())


def test_a_small_campaign_finds_no_internal_error_and_no_wrong_label(tmp_path):
    report = run_fuzz(tmp_path, "-n", "400", "--seed", "0")
    classes = json.dumps(report["failure_classes"], indent=2)
    totals = report["summary"]["totals"]
    assert totals["internal error"] == 0, classes
    assert totals["wrong label"] == 0, classes
    assert sum(totals.values()) == 400
    assert all(sum(counts.values()) == 80 for counts in report["counts"].values())
    assert report["counts"]["well-formed spec"]["ok"] > 0  # labels were compared, not all refused
    assert not report["summary"]["torch_imported"]
    assert (tmp_path / "fuzz.md").is_file()


def test_the_same_seed_gives_the_same_outcomes(tmp_path):
    first = run_fuzz(tmp_path / "a", "-n", "60", "--seed", "3")
    second = run_fuzz(tmp_path / "b", "-n", "60", "--seed", "3")
    assert first["counts"] == second["counts"]


def test_the_reference_floors_like_python_and_reads_the_pad():
    fuzz = load_fuzz()
    x = ("var", "x")
    spec = {
        "input_names": ["x"],
        "states": [],
        "steps": [],
        "outputs": [
            ("a", ("bin", "//", x, ("num", 2))),
            ("b", ("bin", "%", x, ("num", 3))),
            ("c", ("shift", x, 2, 9)),
            ("d", ("agg", "max", x, 2, "smallest")),
        ],
    }
    labels, wide = fuzz.reference_label(spec, [[(-7,), (5,), (-1,)]])
    assert labels == [[(-4, 2, 9, -7), (2, 2, 9, 5), (-1, 2, -7, 5)]]
    assert not wide


def test_the_reference_refuses_a_division_by_zero_unless_if_steers_around_it():
    fuzz = load_fuzz()
    x = ("var", "x")
    divide = ("bin", "//", ("num", 1), x)
    guarded = ("if", ("bin", "!=", x, ("num", 0)), divide, ("num", 0))
    spec = {"input_names": ["x"], "states": [], "steps": [], "outputs": [("y", guarded)]}
    assert fuzz.reference_label(spec, [[(0,), (2,)]])[0] == [[(0,), (0,)]]
    spec["outputs"] = [("y", ("agg", "sum", divide, None, "smallest"))]
    try:
        fuzz.reference_label(spec, [[(2,), (0,)]])
    except fuzz.Refused as exc:
        assert exc.why == "division by zero"
    else:
        raise AssertionError("a division by zero inside a sum was not refused")
