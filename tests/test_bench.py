"""`mipsc bench`: the paper's columns, the report and its table."""

from __future__ import annotations

import json

from mipsdsl.bench import markdown, paper_columns, report, stage_seconds
from mipsdsl.cli import main
from tests.conftest import SPECS

CATALOGUE = """\
| # | spec name | inputs | L | outs | target | generator | paper RNN | paper MIPS | paper GPT-4 |
|---|---|---|---|---|---|---|---|---|---|
| 1 | `binary_addition` | a, b in {0,1} | 10 | 1 | sum | uniform | n=2; f d2/w4; g d1 | BR | no |
| 32 | `abs_diff` | x | 10 | 1 | |x[t] - x[t-1]| | uniform |  | garbled cell | no |
"""


def test_paper_columns_are_read_and_garbled_cells_marked_unknown(tmp_path):
    path = tmp_path / "TASKS.md"
    path.write_text(CATALOGUE)
    columns = paper_columns(path)
    assert columns["binary_addition"] == {"rnn": "n=2; f d2/w4; g d1", "mips": "BR", "gpt4": "no"}
    assert columns["abs_diff"]["mips"] == "?"
    assert paper_columns(tmp_path / "missing.md") == {} and paper_columns(None) == {}


def test_stage_seconds_add_extraction_attempts_into_their_stage():
    seconds = {
        "check": 0.1,
        "train": 10,
        "trace": 1,
        "extract (integer lattice)": 2,
        "verify (integer lattice)": 3,
        "prove (integer lattice)": 0.5,
        "extract (finite-state machine)": 1,
        "emit": 1,
    }
    stages = {"train": 10, "trace": 1, "extract": 3, "verify": 3, "prove": 0.5, "emit": 1}
    assert stage_seconds(seconds) == stages
    assert stage_seconds(seconds, trained=42.0) == {**stages, "train": 42.0}  # as first trained


def test_report_counts_and_tabulates_successes_and_failures():
    results = [
        {
            "spec": "specs/a.mips",
            "task": "a",
            "symbolic": True,
            "architecture": "n=1",
            "extraction_path": "finite-state machine",
            "method": "m",
            "regression": "enumerative",
            "formula_nodes": 5,
            "verification": {"held-out": "passed"},
            "seconds": {"train": 4},
        },
        {
            "spec": "specs/b.mips",
            "task": "b",
            "exit": 1,
            "stage": "verify",
            "error": "x",
            "seconds": {"train": 2},
        },
    ]
    summary = report(results, {"a": {"mips": "BR", "gpt4": "no"}}, 120)
    assert (summary["tasks"], summary["compiled"], summary["symbolic"]) == (2, 1, 1)
    assert summary["median_seconds"] == 4 and summary["paper_mips"] == 1
    assert (
        summary["trained"] == 2 and summary["median_train_seconds"] == 3
    )  # b trained, failed later
    table = markdown(summary)
    assert "| a | formula | finite-state machine | enumerative | 5 |" in table
    assert "| b | failed (verify) |" in table


def test_bench_compiles_and_writes_the_report(
    trained, training_cache, tmp_path, monkeypatch, capsys
):
    trained("parity_all")
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(training_cache))
    status = main(
        [
            "bench",
            str(SPECS / "parity_all.mips"),
            "-o",
            str(tmp_path / "gen"),
            "--report",
            str(tmp_path / "report"),
            "--quiet",
        ]
    )
    assert status == 0
    summary = json.loads((tmp_path / "report" / "compile.json").read_text())
    (row,) = summary["rows"]
    assert row["task"] == "parity_all" and row["compiled"] and row["symbolic"]
    assert row["verification"] == {"held-out": "passed", "exhaustive": "passed", "longer": "passed"}
    assert (tmp_path / "gen" / "parity_all.py").is_file()
    assert "parity_all | formula" in (tmp_path / "report" / "compile.md").read_text()
    assert "1 of 1 tasks verified" in capsys.readouterr().out
