"""Which tasks need each extraction mechanism: compile without it and list what breaks.

Every spec is compiled with all mechanisms (`mipsdsl.extract.mechanisms.MECHANISMS`), which
records the mechanisms its result used (`Extraction.mechanisms`). Then, per mechanism, the tasks
whose result used it are compiled again without it (`CompileOptions(without=...)`). A task breaks
when it no longer compiles to a verified program, or only to a state table; it is changed when
it still gets formulas, other ones (another path, labelling or size).

Only the tasks that used a mechanism are compiled again. A task that did not use it cannot lose
it: switching a mechanism off removes only alternatives its result was made without (paths that
failed before the one that worked or were never reached, labellings that lost, constants and
fallbacks its formulas do not contain), and the searches that made the result run as before with
at least as much budget left. `--full NAME` checks that shortcut: every task is compiled without
NAME, and the tasks that did not use it must give the same module, byte for byte (its text
before `__provenance__`, which holds the compile key, and so the switches).

Mechanisms can stand in for each other, so each one breaking nothing alone does not mean they
can all go: `--together NAME ...` also compiles every task that used any of them with all of
them off at once.

Run it from a warm training cache (MIPSDSL_CACHE_DIR, as `mipsc bench` left it): a network not
in the cache is trained for `--budget` seconds, and a task that does not train is listed, not
ablated. Results go to benchmarks/results/ablation.{json,md}.

    python benchmarks/ablate.py [SPEC ...] [--jobs 2] [--full NAME ...] [--together NAME ...]
        [--budget SECONDS] [--resume]

The results are written after every compile; `--resume` carries on from them.

(default: specs/*.mips and examples/*.mips)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from mipsdsl import CompileOptions, compile_spec
from mipsdsl.errors import MipsError
from mipsdsl.extract.mechanisms import MECHANISMS, checked

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TOGETHER = "+"  # joins the names of mechanisms switched off at once


def compile_once(job: tuple[Path, str | None, float, Path]) -> dict:
    """One compile of `spec` without the mechanisms `off` (names joined by TOGETHER; None: with
    all), in its own directory: what it made, and the sha256 of the module's program."""
    spec, off, budget, scratch = job
    started = time.perf_counter()
    row: dict = {"spec": str(spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec)}
    row["without"] = off
    with tempfile.TemporaryDirectory(dir=scratch) as output_dir:
        options = CompileOptions(
            output_dir=Path(output_dir),
            recompile=True,
            budget=budget,
            without=frozenset() if off is None else frozenset(off.split(TOGETHER)),
        )
        try:
            compiled = compile_spec(spec, options)
        except MipsError as exc:
            stage = getattr(exc, "stage", "check")
            row.update(task=getattr(exc, "task", spec.stem), compiled=False, stage=stage)
            row["error"] = str(exc).splitlines()[0][:200]
        else:
            assert compiled.extraction is not None  # a fresh compile
            row.update(
                task=compiled.task,
                compiled=True,
                symbolic=compiled.extraction.symbolic,
                path=compiled.extraction.path,
                method=compiled.extraction.method,
                nodes=compiled.summary["formula_nodes"],
                proved=compiled.summary["proved"],
                mechanisms=list(compiled.extraction.mechanisms),
                sha256=hashlib.sha256(program_text(compiled.path).encode()).hexdigest(),
            )
    row["seconds"] = round(time.perf_counter() - started, 1)
    return row


def program_text(module: Path) -> str:
    """The module up to its provenance: what it computes and says, without the compile key
    (which names the switched-off mechanisms)."""
    return module.read_text().split("\n__provenance__ = {", 1)[0]


def outcome(base: dict, row: dict) -> str:
    """What switching the mechanism off did to a task that compiled with it."""
    if not row["compiled"]:
        return f"not verified ({row['stage']})"
    if not row["symbolic"]:
        return "not symbolic (a state table)"
    if row["sha256"] == base["sha256"]:
        return "same"
    return f"changed: {row['path']}, {row['method']}, {row['nodes']} nodes (was {base['nodes']})"


def broken(text: str) -> bool:
    return text.startswith("not ")


def run(jobs: list, workers: int, done=lambda rows: None) -> list[dict]:
    """Each job's row, in the jobs' order; `done(rows so far)` as each one finishes."""
    rows: dict[int, dict] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(compile_once, job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            row = rows[futures[future]] = future.result()
            said = row.get("path") or f"failed ({row.get('stage')})"
            print(
                f"{row['task']:28} without {row['without'] or '-':22} {said} {row['seconds']}s",
                flush=True,
            )
            done(list(rows.values()))
    return [rows[i] for i in sorted(rows)]


def uses(row: dict, off: str) -> bool:
    """Whether a compile's result used any of the mechanisms `off` names."""
    return any(name in row["mechanisms"] for name in off.split(TOGETHER))


def ablate(
    specs, full: frozenset[str], budget: float, workers: int, write, before=None, together=()
) -> dict:
    """The baseline, then each mechanism switched off on the tasks that used it (all the
    compiled tasks for the mechanisms in `full`), and the `together` ones all at once on the
    tasks that used any of them; `write(result)` whenever a compile is done,
    so that an interrupted run leaves what it found, and `before` (such a result) is carried
    on: its compiles are not run again. The mechanisms in `full` go first (they check the
    shortcut the rest rests on), and the cheapest tasks first (by their baseline's seconds)."""
    started = time.perf_counter()
    spent = before["wall_seconds"] if before else 0.0
    with tempfile.TemporaryDirectory() as scratch:
        baseline = (
            before["baseline"]
            if before
            else run([(spec, None, budget, Path(scratch)) for spec in specs], workers)
        )
        done = list(before["reruns"]) if before else []
        ran = {(row["task"], row["without"]) for row in done}
        compiled = {row["task"]: row for row in baseline if row["compiled"]}
        offs = list(MECHANISMS) + ([TOGETHER.join(sorted(together))] if together else [])
        jobs = sorted(
            (
                (name not in full, row["seconds"], offs.index(name), task, name)
                for name in offs
                for task, row in compiled.items()
                if (name in full or uses(row, name)) and (task, name) not in ran
            ),
        )

        def summary(reruns: list[dict]) -> dict:
            seconds = round(spent + time.perf_counter() - started, 1)
            return summarise(baseline, done + reruns, len(done) + len(jobs), full, workers, seconds)

        reruns = run(
            [
                (ROOT / compiled[task]["spec"], name, budget, Path(scratch))
                for *_, task, name in jobs
            ],
            workers,
            lambda rows: write(summary(rows)),
        )
    return summary(reruns)


def summarise(baseline, reruns, planned: int, full, workers: int, seconds: float) -> dict:
    compiled = {row["task"]: row for row in baseline if row["compiled"]}
    by_mechanism: dict[str, dict] = {name: {} for name in MECHANISMS}
    for row in reruns:
        base = compiled[row["task"]]
        by_mechanism.setdefault(row["without"], {})[row["task"]] = {
            "used": uses(base, row["without"]),
            "outcome": outcome(base, row),
            "seconds": row["seconds"],
        }
    return {
        "wall_seconds": seconds,
        "jobs": workers,
        "full": sorted(full),
        "compiles": {"planned": planned, "done": len(reruns)},
        "mechanisms": {
            name: {"description": MECHANISMS[name].description, "tasks": by_mechanism[name]}
            for name in MECHANISMS
        },
        "together": {
            off: {"tasks": tasks} for off, tasks in by_mechanism.items() if off not in MECHANISMS
        },
        "baseline": baseline,
        "reruns": reruns,
    }


def needing(result: dict, name: str) -> dict[str, str]:
    found = result["mechanisms"].get(name) or result.get("together", {})[name]
    return {task: row["outcome"] for task, row in found["tasks"].items() if broken(row["outcome"])}


def markdown(result: dict) -> str:
    baseline = result["baseline"]
    compiled = [row for row in baseline if row["compiled"]]
    mechanisms = result["mechanisms"]
    compiles = result["compiles"]
    lines = [
        "# Ablation: which tasks need each extraction mechanism",
        "",
        f"`python benchmarks/ablate.py`: {len(compiled)} of {len(baseline)} tasks compiled with "
        f"every mechanism ({sum(row['symbolic'] for row in compiled)} symbolic); then each "
        "mechanism switched off on the tasks whose result used it "
        f"({compiles['done']} compiles, {result['wall_seconds'] / 60:.0f} min in all with "
        f"{result['jobs']} jobs). A task needs a mechanism when, without it, it is not verified "
        "or not symbolic; changed: still symbolic, another program.",
    ]
    if compiles["done"] < compiles["planned"]:
        lines += ["", f"**Incomplete:** {compiles['done']} of {compiles['planned']} compiles ran."]
    lines += [
        "",
        "| mechanism | used by | needed by (what breaks without it) | changed without it |",
        "|---|---|---|---|",
    ]
    users = {name: [row for row in compiled if name in row["mechanisms"]] for name in MECHANISMS}
    for name in MECHANISMS:
        tasks = mechanisms[name]["tasks"]
        needs = needing(result, name)
        changed = sorted(t for t, f in tasks.items() if f["outcome"].startswith("changed"))
        rerun = sum(row["task"] in tasks for row in users[name])
        lines.append(
            f"| `{name}` | {len(users[name])}"
            + (f" ({rerun} rerun)" if rerun < len(users[name]) else "")
            + f" | {len(needs)}: "
            + (", ".join(f"{task} ({why})" for task, why in sorted(needs.items())) or "-")
            + f" | {len(changed)}: {', '.join(changed) or '-'} |"
        )
    unused = [name for name in MECHANISMS if not users[name]]
    pending = [
        name
        for name in MECHANISMS
        if any(row["task"] not in mechanisms[name]["tasks"] for row in users[name])
    ]
    spare = [n for n in MECHANISMS if n not in unused + pending and not needing(result, n)]
    lines += [
        "",
        f"**No task needs:** used by none: {', '.join(f'`{n}`' for n in unused) or '-'}; used, "
        f"but every task compiles without it: {', '.join(f'`{n}`' for n in spare) or '-'}"
        + (f"; not all rerun yet: {', '.join(f'`{n}`' for n in pending)}." if pending else "."),
    ]
    for off, found in result.get("together", {}).items():
        needs = needing(result, off)
        names = ", ".join(f"`{name}`" for name in off.split(TOGETHER))
        lines += [
            "",
            f"**Switched off together** ({names}): {len(found['tasks'])} tasks used one or more; "
            f"{len(needs)} break: "
            + (", ".join(f"{task} ({why})" for task, why in sorted(needs.items())) or "none")
            + ".",
        ]
    for name in result["full"]:
        tasks = mechanisms[name]["tasks"]
        others = {task: f["outcome"] for task, f in tasks.items() if not f["used"]}
        differ = sorted(task for task, why in others.items() if why != "same")
        lines += [
            "",
            f"**Full ablation of `{name}`** (the check of the shortcut): {len(tasks)} compiled "
            f"tasks compiled without it; of the {len(others)} that did not use it, "
            f"{len(others) - len(differ)} gave the same module byte for byte"
            + (f", {', '.join(differ)} did not." if differ else "."),
        ]
    failed = [row for row in baseline if not row["compiled"]]
    if failed:
        lines += [
            "",
            "Not ablated (not compiled with every mechanism): "
            + ", ".join(f"{row['task']} ({row['stage']})" for row in failed)
            + ".",
        ]
    lines += ["", "## The mechanisms", ""]
    lines += [f"- `{name}`: {m.description}." for name, m in MECHANISMS.items()]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument(
        "--full", nargs="*", default=[], help="mechanisms switched off on every compiled task"
    )
    parser.add_argument(
        "--budget", type=float, default=300.0, help="training seconds for an uncached network"
    )
    parser.add_argument(
        "--together", nargs="*", default=[], help="mechanisms also switched off all at once"
    )
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--resume", action="store_true", help="carry on from OUT/ablation.json (same specs)"
    )
    args = parser.parse_args(argv)
    full, together = checked(args.full), checked(args.together)
    specs = [spec.resolve() for spec in args.specs] or sorted(
        [*(ROOT / "specs").glob("*.mips"), *(ROOT / "examples").glob("*.mips")]
    )
    args.out.mkdir(parents=True, exist_ok=True)

    def write(result: dict) -> None:
        (args.out / "ablation.json").write_text(json.dumps(result, indent=2) + "\n")
        (args.out / "ablation.md").write_text(markdown(result))

    before = None
    if args.resume:
        before = json.loads((args.out / "ablation.json").read_text())
        before.setdefault("reruns", [])  # a result written before it kept its compiles
    result = ablate(specs, full, args.budget, args.jobs, write, before, together)
    write(result)
    print(markdown(result))
    print(f"wrote {args.out / 'ablation.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
