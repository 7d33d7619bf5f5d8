"""`mipsc bench`: compile many specs and tabulate what came out, beside the paper's results.

Per task: the architecture trained, the extraction path, the regression that produced the
formulas, whether the program is symbolic or a state table, each verification level, what the
prover showed, and seconds per stage; the paper's MIPS and GPT-4 columns come from the benchmark
catalogue (TASKS.md) when it is at hand.

Each task's result is kept in a file of its own, `REPORT/tasks/<spec stem>.json`, written the
moment the task finishes: a rerun skips the tasks whose file matches (the same compile key,
budget and device), and the summary is built from the files, also those of other runs (shards,
`--merge`).
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

from mipsdsl import atomic, check
from mipsdsl.diagnostics import SpecError

if TYPE_CHECKING:
    from mipsdsl.pipeline import CompileOptions

STAGES = ("train", "trace", "extract", "verify", "prove", "emit")
TASK_FORMAT = 1  # of the per-task files
# A task that ended in one of these gave no verdict: a rerun runs it again.
RETRIED = ("crashed", "timed out")


def paper_columns(catalogue: Path | None) -> dict[str, dict[str, str]]:
    """spec name -> {"rnn", "mips", "gpt4"} from the catalogue's table (empty when absent)."""
    if catalogue is None or not catalogue.is_file():
        return {}
    columns = {}
    for line in catalogue.read_text(encoding="utf-8").splitlines():
        name = re.match(r"\| *\d+ *\| *`(\w+)`", line)
        if not name:
            continue
        # the target cell may itself hold a '|': read the last three cells from the end
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rnn = re.search(r"n=\d+; f d\d+(?:/w\d+)?; g d\d+", line)
        mips, gpt4 = cells[-2], cells[-1]
        columns[name[1]] = {
            "rnn": rnn[0] if rnn else "",
            # a row whose target holds '|' can garble the cells: keep only recognisable values
            "mips": mips if re.fullmatch(r"(BR|LR|SR)\??|no", mips) else "?",
            "gpt4": gpt4 if gpt4 in ("yes", "no") else "?",
        }
    return columns


def stage_seconds(seconds: dict[str, float], trained: float | None = None) -> dict[str, float]:
    """Seconds per pipeline stage, the extraction paths' attempts added into their stage; the
    training's as first trained (`trained`) when the network came from the cache, so that a
    rerun reports what compiling costs."""
    out = dict.fromkeys(STAGES, 0.0)
    for name, value in seconds.items():
        stage = name.split(" ")[0]
        if stage in out:
            out[stage] = round(out[stage] + value, 2)
    if trained is not None:
        out["train"] = round(trained, 2)
    return out


SEARCH_PARTS = ("stages failed", "stage solved", "smaller sizes")


def search_seconds(attempts: list[dict]) -> dict[str, float]:
    """Training seconds by part of the search: the stages that failed, the one that solved, and
    the passes over smaller hidden sizes after it (where most of a search's time can go)."""
    out = dict.fromkeys(SEARCH_PARTS, 0.0)
    for attempt in attempts:
        if attempt.get("pass") == "smaller":
            part = "smaller sizes"
        else:
            part = "stage solved" if attempt["solved"] else "stages failed"
        out[part] = round(out[part] + attempt["seconds"], 2)
    return out


def report(
    results: list[dict],
    paper: dict[str, dict[str, str]],
    budget: float,
    jobs: int | None = 1,
    wall_seconds: float | None = None,
    missing: list[str] | None = None,
) -> dict:
    """The summary of `results` (one `mipsc compile` result dict per task); `missing` names the
    tasks asked for that have no result yet."""
    rows = []
    for r in results:
        name = r.get("task") or Path(r["spec"]).stem
        ok = "error" not in r
        row = {
            "task": name,
            "compiled": ok,
            "symbolic": bool(ok and r["symbolic"]),
            "failed_stage": None if ok else r.get("stage"),
            "error": None if ok else r.get("error"),  # why it failed, every path's reason
            "architecture": r.get("architecture", ""),
            "extraction_path": r.get("extraction_path", ""),
            "method": r.get("method", ""),
            "regression": r.get("regression", ""),
            "formula_nodes": r.get("formula_nodes"),
            "verification": r.get("verification", {}),
            "proved": r.get("proved"),
            "seconds": stage_seconds(r.get("seconds", {}), r.get("trained_seconds")),
            "paper": paper.get(name, {}),
            "search": r.get("search"),  # what extraction tried: labellings, failed paths
            "training_seconds": search_seconds(r.get("training_attempts", [])),
        }
        row["total_seconds"] = round(sum(row["seconds"].values()), 2)
        rows.append(row)
    compiled = [r for r in rows if r["compiled"]]
    trained = [r for r in rows if r["compiled"] or r["failed_stage"] in STAGES[1:]]
    return {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "budget_seconds": budget,
        "jobs": jobs,
        "wall_seconds": None if wall_seconds is None else round(wall_seconds, 1),
        "tasks": len(rows),
        "compiled": len(compiled),
        "symbolic": sum(r["symbolic"] for r in rows),
        "median_seconds": (
            round(statistics.median([r["total_seconds"] for r in compiled]), 1)
            if compiled
            else None
        ),
        "proved_every_length": sum(r["proved"] == "every length" for r in compiled),
        "proved_bounded": sum(str(r["proved"]).startswith("length <=") for r in compiled),
        "median_prove_seconds": (
            round(statistics.median([r["seconds"]["prove"] for r in compiled]), 2)
            if compiled
            else None
        ),
        "trained": len(trained),
        "median_train_seconds": (
            round(statistics.median([r["seconds"]["train"] for r in trained]), 1)
            if trained
            else None
        ),
        "training_seconds": {
            part: round(sum(r["training_seconds"][part] for r in compiled), 1)
            for part in SEARCH_PARTS
        },
        "paper_mips": sum(r["paper"].get("mips", "no")[:2] in ("BR", "LR", "SR") for r in rows),
        "paper_gpt4": sum(r["paper"].get("gpt4") == "yes" for r in rows),
        "missing": missing or [],
        "rows": rows,
    }


def markdown(summary: dict) -> str:
    lines = [
        f"# Compiling the benchmark: {summary['compiled']} of {summary['tasks']} tasks verified, "
        f"{summary['symbolic']} symbolic",
        "",
        f"`mipsc bench`, training budget {summary['budget_seconds']:g} s per task, "
        f"{summary['machine']}. Median seconds per compiled task (training included, as first "
        f"trained): {summary['median_seconds']}. Paper: MIPS {summary['paper_mips']}, "
        f"GPT-4 {summary['paper_gpt4']} of these tasks. Trained to 100%: {summary['trained']} "
        f"tasks, median {summary['median_train_seconds']} s of training. Proved equal to the "
        f"spec for every length: {summary['proved_every_length']}, up to the spec's length only: "
        f"{summary['proved_bounded']}; median {summary['median_prove_seconds']} s proving."
        + (
            f" Whole run: {summary['wall_seconds'] / 60:.0f} min with {summary['jobs']} jobs."
            if summary.get("wall_seconds") is not None
            else ""
        )
        + _search_split(summary.get("training_seconds"))
        + (f" No result yet: {', '.join(summary['missing'])}." if summary.get("missing") else ""),
        "",
        "| task | result | path | regression | nodes | held-out / exhaustive / longer | proved | "
        "seconds (train+trace+extract+verify+prove+emit) | architecture | paper MIPS | "
        "paper GPT-4 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary["rows"]:
        if r["compiled"]:
            result = "formula" if r["symbolic"] else "table"
        else:
            result = f"failed ({r['failed_stage'] or 'error'})"
        levels = " / ".join(
            r["verification"].get(name, "-") for name in ("held-out", "exhaustive", "longer")
        )
        s = r["seconds"]
        stages = "+".join(f"{s[name]:.0f}" for name in STAGES)
        lines.append(
            f"| {r['task']} | {result} | {r['extraction_path']} | {r['regression']} | "
            f"{r['formula_nodes'] or ''} | {levels if r['compiled'] else ''} | "
            f"{r['proved'] or ('no' if r['compiled'] else '')} | "
            f"{r['total_seconds']:.1f} ({stages}) | {r['architecture']} | "
            f"{r['paper'].get('mips', '')} | {r['paper'].get('gpt4', '')} |"
        )
    return "\n".join(lines) + "\n"


def _search_split(parts: dict[str, float] | None) -> str:
    """The compiled tasks' training seconds by part of the search, as a sentence."""
    if not parts or not (total := sum(parts.values())):
        return ""
    shares = ", ".join(f"{parts[p] / total:.0%} {p}" for p in SEARCH_PARTS)
    return f" Training seconds of the compiled tasks: {total:,.0f} ({shares})."


def write(summary: dict, directory: Path) -> tuple[Path, Path]:
    """compile.json and compile.md in `directory`, each written whole or not at all."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "compile.json", directory / "compile.md"
    for path, text in (
        (json_path, json.dumps(summary, indent=2) + "\n"),
        (md_path, markdown(summary)),
    ):
        with atomic.replacing(path, "w", encoding="utf-8", permissions=0o644) as handle:
            handle.write(text)
    return json_path, md_path


# ---------------------------------------------------------------- per-task files


def task_path(directory: Path, spec: str | Path) -> Path:
    return Path(directory) / "tasks" / f"{Path(spec).stem}.json"


def task_key(spec: str | Path, options: CompileOptions) -> str:
    """What a task's result depends on that a rerun can change: the module's compile key (the
    spec, the options and mipsdsl's versions, so that a rerun after a change to mipsdsl runs
    again), or the spec's text when it does not check, and the training budget and device, which
    the compile key leaves out."""
    from mipsdsl.pipeline import compile_key

    try:
        task, _ = check.load_task(spec, sample=0)
        identity = compile_key(task, options)
    except SpecError:
        identity = hashlib.sha256(Path(spec).read_bytes()).hexdigest()
    material = {"compile": identity, "budget": options.budget, "device": options.device}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def save_task(directory: Path, spec: str, key: str, budget: float, result: dict) -> Path:
    """Write one task's result to its file, whole or not at all."""
    path = task_path(directory, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"format": TASK_FORMAT, "spec": spec, "key": key, "budget": budget, "result": result}
    with atomic.replacing(path, "w", encoding="utf-8", permissions=0o644) as handle:
        handle.write(json.dumps(record, indent=2) + "\n")
    return path


def load_task(path: Path) -> dict | None:
    """The record in a per-task file; None when there is none or it is not one."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    ok = (
        isinstance(record, dict)
        and record.get("format") == TASK_FORMAT
        and isinstance(record.get("result"), dict)
        and isinstance(record.get("spec"), str)
        and isinstance(record.get("budget"), int | float)
        and isinstance(record["result"].get("spec"), str)
    )
    return record if ok else None


def finished(record: dict | None, key: str) -> bool:
    """Whether a rerun may skip the task: its file holds a verdict made with this key."""
    return (
        record is not None
        and record.get("key") == key
        and record["result"].get("stage") not in RETRIED
    )
