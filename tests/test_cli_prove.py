"""`mipsc prove SPEC CANDIDATE.mips`: exit 0 when proved for every length, 1 with the
counterexample table when they differ or with "not proved" when neither is shown, and a
diagnostic for candidates that cannot be held against the spec."""

from __future__ import annotations

import json

import pytest

from mipsdsl.cli import main
from tests.conftest import SPECS

SUM_ALL = str(SPECS / "sum_all.mips")
HEADER = "task candidate\ninput x in [0, 100)\nlength 10\n"


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    return status, out, err


@pytest.fixture
def candidate(tmp_path):
    def write(body: str) -> str:
        path = tmp_path / "candidate.mips"
        path.write_text(HEADER + body, encoding="utf-8")
        return str(path)

    return write


def test_a_correct_candidate_is_proved_with_its_invariant(capsys, candidate):
    path = candidate("state s = 0\nupdate s = s + x\noutput y = s\n")
    status, out, _ = run(capsys, "prove", SUM_ALL, path)
    assert status == 0
    assert "proved by induction" in out and "invariant: program.s == spec.sum" in out


def test_a_saturating_candidate_shows_its_counterexample(capsys, candidate):
    path = candidate("state s = 0\nupdate s = min(s + x, 5000)\noutput y = s\n")
    status, out, _ = run(capsys, "prove", SUM_ALL, path)
    assert status == 1
    assert "refuted: an output differs" in out
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) >= 51 and rows[-1].split()[-2:] == ["5000", "<--"]


def test_a_candidate_that_holds_out_past_the_search_is_not_proved(capsys, candidate):
    path = candidate("state s = 0\nupdate s = min(s + x, 1000000)\noutput y = s\n")
    status, out, _ = run(capsys, "prove", SUM_ALL, path, "--length", "30", "--json")
    assert status == 1
    report = json.loads(out)
    assert report["proved"] == "length <= 30" and "counterexample" not in report


def test_the_json_report_holds_the_counterexample(capsys, candidate):
    path = candidate("state s = 1\nupdate s = s + x\noutput y = s\n")
    status, out, _ = run(capsys, "prove", SUM_ALL, path, "--json")
    report = json.loads(out)
    assert status == 1 and report["proved"] is None
    assert len(report["counterexample"]["inputs"]) == 1  # wrong from the first position
    assert report["counterexample"]["candidate"][0][0] == report["counterexample"]["spec"][0][0] + 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("output y = sum(x)\n", "is not a stateful spec"),
        ("output z = x\n", "has outputs z; the spec has y"),
    ],
)
def test_candidates_that_are_not_comparable_are_refused(capsys, candidate, body, message):
    status, _, err = run(capsys, "prove", SUM_ALL, candidate(body))
    assert status == 2 and message in err


def test_a_candidate_with_other_inputs_is_refused(capsys, tmp_path):
    path = tmp_path / "other.mips"
    path.write_text("task c\ninput z in [0, 100)\nlength 10\noutput y = z\n", encoding="utf-8")
    status, _, err = run(capsys, "prove", SUM_ALL, str(path))
    assert status == 2 and "has inputs z; the spec has x" in err


def test_a_candidate_that_does_not_check_gets_its_diagnostics(capsys, candidate):
    status, _, err = run(capsys, "prove", SUM_ALL, candidate("output y = nothing\n"))
    assert status == 1 and "nothing" in err


def test_a_candidate_that_divides_by_zero_is_refused_where_it_does(capsys, candidate):
    path = candidate("state s = 0\nupdate s = s + 100 // (x - 7)\noutput y = s\n")
    status, out, _ = run(capsys, "prove", SUM_ALL, path)
    assert status == 1 and "refuted: the program divides by zero at position 0" in out
    assert out.splitlines()[-1].split()[:2] == ["0", "7"]
