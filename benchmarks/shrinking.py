"""When passes for smaller sizes give up: what the trainer's rules would cut, on recorded searches.

A search that has solved a task trains passes over the hidden sizes below the winner's
(`mipsdsl.train.search._smaller`). Those passes decide when to give up by
`mipsdsl.train.trainer._hopeless` with `TrainConfig.shrinking`. This script records every
evaluation of every pass of real searches with that rule switched off (each pass then gives up
as a main stage does), and replays the recorded histories through `_hopeless` to show, per
pass, where the rule would have stopped it: the seconds it saves on passes that failed anyway,
and any pass that solved which it would have cut (a larger network for that task).

Because a cut pass does not change the seeds or data of the passes after it, a replay with no
solving pass cut means the search finds the same network as the recording did. The replay reads
the best accuracy on the quick sample; the trainer reads it after confirmation, which lowers
only models that were perfect on the quick sample, above the rule's 99% mark either way.

    python benchmarks/shrinking.py --record specs/add_mod_3.mips ... [--jobs 2] [--budget 300]
    python benchmarks/shrinking.py                   # replay benchmarks/results/shrinking.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def record(spec: str, budget: float) -> dict:
    """One search with the shrinking rule off; each pass with the best quick-sample accuracy
    (over its models) at every evaluation."""
    from mipsdsl.check import load_task
    from mipsdsl.train import search, trainer
    from mipsdsl.train.options import SearchOptions

    passes: list[dict] = []
    train_models, confirm = trainer.train_models, trainer.confirm

    def recording_confirm(task, model, encoding, head, acc, held_out, config, result):
        history = passes[-1]["history"]
        if not history or history[-1][0] != result.steps:  # a polish re-evaluates a step
            history.append((result.steps, round(float(acc.max()), 5)))
        return confirm(task, model, encoding, head, acc, held_out, config, result)

    def recording_train(task, data, archs, seeds, encoding, head, config, **kwargs):
        passes.append(
            {
                "hidden": sorted({a.hidden for a in archs}),
                "g_depth": archs[0].g_depth,
                "encoding": encoding.kind,
                "head": head.kind,
                "max_steps": config.max_steps,
                "shrinking": config.shrinking,
                "history": [],
            }
        )
        started = time.perf_counter()
        result = train_models(
            task, data, archs, seeds, encoding, head, replace(config, shrinking=False), **kwargs
        )
        passes[-1].update(
            solved=result.solved,
            solved_step=result.solved_step,
            steps=result.steps,
            seconds=round(time.perf_counter() - started, 2),
        )
        return result

    trainer.confirm = recording_confirm
    search.train_models = recording_train
    task, _ = load_task(spec, sample=0)
    try:
        found = search.train(task, SearchOptions(budget=budget), force=True)
        outcome = found.arch.describe()
    except search.TrainingFailed as exc:
        outcome = f"failed: {exc}"
    return {"spec": spec, "outcome": outcome, "passes": passes}


def replay(run: dict) -> list[dict]:
    """Each recorded pass for smaller sizes with the step at which `_hopeless` stops it (None:
    never before it ended)."""
    from mipsdsl.train.options import TrainConfig
    from mipsdsl.train.trainer import _hopeless

    rows = []
    for p in run["passes"]:
        if not p["shrinking"]:
            continue
        config = TrainConfig(max_steps=p["max_steps"], shrinking=True)
        stop = None
        for k, (step, _) in enumerate(p["history"]):
            if p["solved"] and step >= p["solved_step"]:
                break
            if _hopeless([b for _, b in p["history"][: k + 1]], step, config, p["head"]):
                stop = step
                break
        cut = stop is not None and stop < p["steps"]
        rows.append(
            {
                "task": Path(run["spec"]).stem,
                "pass": f"n={p['hidden']} g d{p['g_depth']} {p['encoding']} {p['max_steps']} steps",
                "solved": p["solved"],
                "steps": p["steps"],
                "seconds": p["seconds"],
                "stopped_at": stop if cut else None,
                "saved_seconds": round(p["seconds"] * (1 - stop / p["steps"]), 2) if cut else 0.0,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", nargs="+", metavar="SPEC", help="record these searches")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget", type=float, default=300.0)
    parser.add_argument("--traces", type=Path, default=RESULTS / "shrinking.json")
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.record:
        with ProcessPoolExecutor(args.jobs) as pool:
            runs = list(pool.map(record, args.record, [args.budget] * len(args.record)))
        traces = {"machine": f"{platform.machine()}, {platform.python_version()}", "runs": runs}
    else:
        traces = json.loads(args.traces.read_text())
    rows = [row for run in traces["runs"] for row in replay(run)]
    failed = [r for r in rows if not r["solved"]]
    killed = [r for r in rows if r["solved"] and r["stopped_at"] is not None]
    total = sum(r["seconds"] for r in rows)
    saved = sum(r["saved_seconds"] for r in rows)
    summary = (
        f"{len(traces['runs'])} searches, {len(rows)} passes for smaller sizes "
        f"({len(rows) - len(failed)} solved), {total:.0f} s in all. The rule stops "
        f"{sum(r['stopped_at'] is not None for r in failed)} of the {len(failed)} failing passes "
        f"sooner, saving {saved:.0f} s ({saved / total:.0%}); solving passes it would cut: "
        f"{', '.join(r['task'] + ' ' + r['pass'] for r in killed) or 'none'}."
    )
    lines = [
        "# When passes for smaller sizes give up",
        "",
        "`python benchmarks/shrinking.py` (replaying `shrinking.json`; record with `--record "
        "SPEC...`). " + summary,
        "",
        "| task | pass | solved | steps | seconds | stopped at | saved (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['pass']} | {'yes' if r['solved'] else 'no'} | {r['steps']} | "
            f"{r['seconds']} | {r['stopped_at'] or ''} | {r['saved_seconds'] or ''} |"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    if args.record:
        (args.out / "shrinking.json").write_text(json.dumps(traces, indent=1) + "\n")
    (args.out / "shrinking.md").write_text("\n".join(lines) + "\n")
    print(summary)
    print(f"wrote {args.out / 'shrinking.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
