"""`mipsc bench`: the paper's columns, the report and its table."""

from __future__ import annotations

import json
import sys

import pytest

from mipsdsl import bench
from mipsdsl.bench import markdown, paper_columns, report, search_seconds, stage_seconds
from mipsdsl.cli import main
from mipsdsl.pipeline import CompileOptions
from tests.conftest import SPECS
from tests.test_lifecycle import SLOW

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


def test_training_seconds_are_split_by_part_of_the_search():
    attempts = [
        {"solved": False, "seconds": 3.0},
        {"solved": True, "seconds": 2.0},
        {"solved": False, "seconds": 4.5, "pass": "smaller"},
        {"solved": True, "seconds": 0.5, "pass": "smaller"},
    ]
    split = {"stages failed": 3.0, "stage solved": 2.0, "smaller sizes": 5.0}
    assert search_seconds(attempts) == split
    result = {"spec": "a.mips", "task": "a", "symbolic": True, "training_attempts": attempts}
    summary = report([result], {}, 120)
    assert summary["training_seconds"] == split
    assert (
        "Training seconds of the compiled tasks: 10 (30% stages failed, 20% stage solved, "
        "50% smaller sizes)." in markdown(summary)
    )


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
    assert bench.load_task(tmp_path / "report" / "tasks" / "parity_all.json")["key"]


# ---------------------------------------------------------------- per-task files, shards, merge

# Runs that must not train: each task is stopped after a second (the least --task-timeout), so
# that a test sees which tasks ran (timed out) and which were skipped (their files unchanged).
STOP_AT_ONCE = ("--task-timeout", "1", "--jobs", "2", "--budget", "60")


def bench_(capsys, *argv):
    status = main(["bench", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return status, out, err


def write_specs(directory, *names):
    paths = []
    for name in names:
        path = directory / f"{name}.mips"
        path.write_text(SLOW.format(i=name))
        paths.append(path)
    return paths


def save_verdict(report_dir, spec, stage="verify", budget=60.0):
    """A task file as a finished run would leave it: the task failed at `stage`."""
    result = {"spec": str(spec), "task": spec.stem, "exit": 1, "stage": stage, "error": "no"}
    key = bench.task_key(spec, CompileOptions(output_dir=report_dir.parent / "gen", budget=budget))
    bench.save_task(report_dir, str(spec), key, budget, result)


def test_a_task_result_is_stale_after_a_change_to_mipsdsl_the_budget_or_the_device(
    tmp_path, monkeypatch
):
    (spec,) = write_specs(tmp_path, "a")
    key = bench.task_key(spec, CompileOptions(budget=60))
    assert bench.task_key(spec, CompileOptions(budget=60, output_dir=tmp_path)) == key
    assert bench.task_key(spec, CompileOptions(budget=61)) != key
    assert bench.task_key(spec, CompileOptions(budget=60, device="cuda")) != key
    monkeypatch.setattr("mipsdsl.pipeline.EXTRACTION_VERSION", -1)
    assert bench.task_key(spec, CompileOptions(budget=60)) != key


def test_each_task_has_a_file_and_a_rerun_skips_the_finished_ones(tmp_path, capsys):
    a, b = write_specs(tmp_path, "a", "b")
    report_dir, tasks = tmp_path / "report", tmp_path / "report" / "tasks"
    argv = [a, b, "-o", tmp_path / "gen", "--report", report_dir, *STOP_AT_ONCE]
    save_verdict(report_dir, a)
    save_verdict(report_dir, b)
    written = {p.name: p.stat().st_mtime_ns for p in tasks.iterdir()}

    status, out, err = bench_(capsys, *argv)
    assert status == 0 and "2 of 2 tasks already have results" in err
    assert {p.name: p.stat().st_mtime_ns for p in tasks.iterdir()} == written
    assert "| a | failed (verify) |" in out  # the summary is built from the files

    a.write_text(a.read_text() + "# edited\n")  # a changed spec runs again,
    save_verdict(report_dir, b, stage="timed out")  # and so does a task that gave no verdict
    _, _, err = bench_(capsys, *argv)
    assert "already have results" not in err and err.count("timed out after 1 s") == 2
    assert (
        bench.load_task(tasks / "a.json")["result"]["error"]
        == f"mipsc: error: {a}: timed out after 1 s"
    )

    save_verdict(report_dir, b)
    _, _, err = bench_(
        capsys, b, "--report", report_dir, "-o", tmp_path / "gen", *STOP_AT_ONCE, "--force"
    )
    assert "already have results" not in err and "[1/1] failed: " in err


def test_shards_split_the_sorted_specs_and_merge_joins_their_reports(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    specs = write_specs(tmp_path, "c", "a", "b")
    for shard in ("1/2", "2/2"):
        report_dir = tmp_path / shard.replace("/", "of")
        argv = ["--shard", shard, "--report", report_dir, "-o", tmp_path / "gen", "-q"]
        status, _, _ = bench_(capsys, *specs, *argv, *STOP_AT_ONCE)
        assert status == 0
    assert sorted(p.name for p in (tmp_path / "1of2" / "tasks").iterdir()) == ["a.json", "c.json"]
    assert sorted(p.name for p in (tmp_path / "2of2" / "tasks").iterdir()) == ["b.json"]
    summary = json.loads((tmp_path / "1of2" / "compile.json").read_text())
    assert summary["tasks"] == 2 and summary["missing"] == ["b"]
    assert "No result yet: b." in (tmp_path / "1of2" / "compile.md").read_text()

    merged = tmp_path / "merged"
    status, out, _ = bench_(
        capsys, "--merge", tmp_path / "1of2", tmp_path / "2of2", "--report", merged
    )
    summary = json.loads((merged / "compile.json").read_text())
    assert status == 0 and "0 of 3 tasks verified" in out
    assert [row["failed_stage"] for row in summary["rows"]] == ["timed out"] * 3
    assert summary["missing"] == [] and summary["trained"] == 0  # a timed-out task trained nothing
    # the stopped tasks left no module, temporary file or training cache entry behind (the
    # parser's tables, cached beside them, are no task's)
    assert list((tmp_path / "gen").iterdir()) == []
    assert [p for p in (tmp_path / "cache" / "train").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["SPEC", "--shard", "2"], "--shard must be I/N, such as 1/4, not '2'"),
        (["SPEC", "--shard", "0/3"], "I must lie in 1..N (shards are numbered from 1)"),
        (["SPEC", "--shard", "4/3"], "I must lie in 1..N"),
        (["SPEC", "--task-timeout", "0"], "--task-timeout must lie in 1..86400, not 0"),
        (["SPEC", "--task-timeout", "soon"], "--task-timeout must be a number, not 'soon'"),
        (["SPEC", "--address", "ray://head:10001"], "--address goes with --executor ray"),
        (["--merge", "EMPTY"], "has no task results (tasks/*.json)"),
        (["--merge", "SPEC"], "is not a directory"),
        (["SPEC", "--merge", "EMPTY"], "give no specs or --shard"),
        (["SPEC", "OTHER"], "would share the result file a.json"),
    ],
)
def test_bad_bench_options_are_one_line_usage_errors(argv, message, tmp_path, capsys):
    paths = {
        "SPEC": tmp_path / "a.mips",
        "OTHER": tmp_path / "other" / "a.mips",
        "EMPTY": tmp_path / "empty",
    }
    paths["OTHER"].parent.mkdir()
    paths["EMPTY"].mkdir()
    paths["SPEC"].write_text(SLOW.format(i=0))
    paths["OTHER"].write_text(SLOW.format(i=1))
    argv = [paths.get(a, a) for a in argv]
    status, _, err = bench_(capsys, *argv, "--report", tmp_path / "report", "-o", tmp_path)
    assert status == 2
    assert err.startswith("mipsc: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "report").exists()  # nothing ran, nothing written


def test_merging_results_of_different_budgets_is_refused(tmp_path, capsys):
    for budget, name in ((60.0, "one"), (120.0, "two")):
        result = {"spec": f"{name}.mips", "stage": "check", "error": "x"}
        bench.save_task(tmp_path / name, f"{name}.mips", "key", budget, result)
    status, _, err = bench_(capsys, "--merge", tmp_path / "one", tmp_path / "two")
    assert status == 2 and "different budgets (60, 120 s)" in err


def test_executor_ray_without_ray_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    (spec,) = write_specs(tmp_path, "a")
    status, _, err = bench_(
        capsys, spec, "--executor", "ray", "--report", tmp_path / "r", "-o", tmp_path
    )
    assert status == 2
    assert err == "mipsc: error: --executor ray needs Ray: pip install 'mipsdsl[ray]'\n"
    assert not (tmp_path / "r" / "tasks").exists()
