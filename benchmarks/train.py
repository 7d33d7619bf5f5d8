"""Training benchmark: the architecture found for every spec, seconds to 100%, and attempts;
for a subset, the paper's recipe on the same machine, so the speed-up is a measured ratio.

The paper's recipe (Michaud et al. 2024): the architecture its search found (TASKS.md), raw inputs,
rounded regression outputs, AdamW at a constant lr 1e-3, batch 4096, loss 0.5*log(1+err^2).

    python benchmarks/train.py [SPEC ...] [--budget 300] [--paper SPEC_NAME ...] [-o DIR]

Results: benchmarks/results/train.{json,md}. Uses a private cache, so every task really trains.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
TASKS_MD = ROOT.parent / "shared" / "benchmark" / "TASKS.md"
# Two or so of each family, picked before any was timed: windowed sums, a delay, physics, bits,
# parities, a modular counter, a carry, a count.
DEFAULT_PAPER_SUBSET = (
    "sum_last2",
    "sum_last3",
    "prev2",
    "newton_freebody",
    "bitwise_xor",
    "parity_all",
    "parity_last2",
    "add_mod_3",
    "binary_addition",
    "majority_0_1",
)


def paper_architectures() -> dict[str, str]:
    """spec name -> the paper's RNN column ("n=2; f d1; g d1"), when TASKS.md is present."""
    from mipsdsl.bench import paper_columns

    return {name: columns["rnn"] for name, columns in paper_columns(TASKS_MD).items()}


def parse_paper_arch(text: str):
    match = re.match(r"n=(\d+); f d(\d+)(?:/w(\d+))?", text or "")
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0)


def run_ours(task, budget: float) -> dict:
    from mipsdsl.train.options import SearchOptions
    from mipsdsl.train.search import TrainingFailed, train

    start = time.perf_counter()
    try:
        trained = train(task, SearchOptions(budget=budget), force=True)
    except TrainingFailed as exc:
        return {
            "solved": False,
            "seconds": round(time.perf_counter() - start, 1),
            "error": str(exc),
        }
    except Exception as exc:  # noqa: BLE001 - one broken task must not end a long benchmark run
        return {
            "solved": False,
            "seconds": round(time.perf_counter() - start, 1),
            "error": repr(exc),
        }
    return {
        "solved": True,
        "seconds": round(time.perf_counter() - start, 1),
        "architecture": trained.arch.describe(),
        "hidden": trained.arch.hidden,
        "attempts": len(trained.attempts),
        "steps": trained.steps,
    }


def run_paper(task, arch_text: str, budget: float) -> dict:
    """The paper's recipe on the paper's architecture, 5 seeds batched, until 100% or `budget`."""
    from mipsdsl.data import make_dataset
    from mipsdsl.train.encoding import make_input_encoding, make_output_head
    from mipsdsl.train.model import Architecture
    from mipsdsl.train.options import TrainConfig
    from mipsdsl.train.trainer import train_models

    parsed = parse_paper_arch(arch_text)
    if parsed is None:
        return {"solved": False, "seconds": None, "error": "no paper architecture"}
    hidden, depth, width = parsed
    torch.set_num_threads(1)
    start = time.perf_counter()
    data = make_dataset(task, n=min(task.data.size, 200_000))
    encoding = make_input_encoding(task, "raw")
    head = make_output_head(task, "regress", data.y[: data.n_train])
    arch = Architecture(hidden, depth, width, "raw", "regress")
    config = TrainConfig(
        max_steps=20_000,
        batch=4096,
        lr=1e-3,
        eval_every=500,
        give_up_early=False,
        paper_recipe=True,
    )
    result = train_models(
        task, data, [arch] * 5, list(range(5)), encoding, head, config, deadline=start + budget
    )
    return {
        "solved": result.solved,
        "seconds": round(time.perf_counter() - start, 1),
        "steps": result.steps,
        "best_accuracy": round(max(result.accuracy), 4),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per task (each side)")
    parser.add_argument(
        "--paper",
        nargs="*",
        default=list(DEFAULT_PAPER_SUBSET),
        help="spec names also trained with the paper's recipe",
    )
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    os.environ["MIPSDSL_CACHE_DIR"] = tempfile.mkdtemp(prefix="mipsdsl-bench-")

    from mipsdsl.check import load_task

    specs = args.specs or sorted((ROOT / "specs").glob("*.mips"))
    paper = paper_architectures()
    rows = []
    for spec in specs:
        task, _ = load_task(spec, sample=0)
        row = {
            "task": task.name,
            "paper_rnn": paper.get(task.name, ""),
            "ours": run_ours(task, args.budget),
        }
        if task.name in args.paper:
            row["paper_recipe"] = run_paper(task, paper.get(task.name, ""), args.budget)
        rows.append(row)
        ours = row["ours"]
        verdict = "ok " if ours["solved"] else "FAIL"
        line = (
            f"{task.name:<26} {verdict} {ours['seconds']:>7.1f} s  {ours.get('architecture', '')}"
        )
        if "paper_recipe" in row:
            p = row["paper_recipe"]
            line += f"  | paper recipe: {'ok' if p['solved'] else 'not solved'} {p['seconds']} s"
        print(line, flush=True)
        write_results(rows, args, final=False)  # a long run leaves a usable table at every step
    write_results(rows, args)
    return 0


def write_results(rows: list[dict], args, final: bool = True) -> None:
    solved = [r for r in rows if r["ours"]["solved"]]
    seconds = [r["ours"]["seconds"] for r in solved]
    side_by_side = [r for r in rows if "paper_recipe" in r]
    ratios = [
        r["paper_recipe"]["seconds"] / r["ours"]["seconds"]
        for r in side_by_side
        if r["paper_recipe"]["solved"] and r["ours"]["solved"]
    ]
    summary = {
        "tasks": len(rows),
        "solved": len(solved),
        "median_seconds_solved": round(statistics.median(seconds), 1) if seconds else None,
        "budget_seconds": args.budget,
        "paper_recipe_tasks": len(side_by_side),
        "paper_recipe_solved": sum(r["paper_recipe"]["solved"] for r in side_by_side),
        "ours_solved_of_those": sum(r["ours"]["solved"] for r in side_by_side),
        "paper_recipe_speedups": [round(r, 1) for r in ratios],
        "median_speedup": round(statistics.median(ratios), 1) if ratios else None,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "train.json").write_text(
        json.dumps({"summary": summary, "tasks": rows}, indent=2) + "\n"
    )
    lines = [
        f"# Training: {summary['solved']} of {summary['tasks']} tasks to 100% held-out exact match",
        "",
        f"Budget {args.budget:g} s per task; {summary['machine']}. Median seconds to 100% over "
        f"solved tasks: {summary['median_seconds_solved']}.",
        "",
        f"The paper's recipe side by side on {summary['paper_recipe_tasks']} tasks: it solved "
        f"{summary['paper_recipe_solved']}, ours {summary['ours_solved_of_those']}; where both "
        f"solved ({len(ratios)}), the paper's recipe took {summary['median_speedup']}x our time "
        "(median of the ratios).",
        "",
        "| task | solved | seconds | architecture found | stages | paper's RNN | paper recipe |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        o = r["ours"]
        p = r.get("paper_recipe")
        paper_cell = (
            ""
            if p is None
            else (
                f"{p['seconds']} s"
                if p["solved"]
                else f"not solved in {p['seconds']} s (best {p.get('best_accuracy')})"
            )
        )
        lines.append(
            f"| {r['task']} | {'yes' if o['solved'] else 'no'} | {o['seconds']} | "
            f"{o.get('architecture', '')} | {o.get('attempts', '')} | {r['paper_rnn']} | "
            f"{paper_cell} |"
        )
    (args.out / "train.md").write_text("\n".join(lines) + "\n")
    if not final:
        return
    print(
        f"\n{summary['solved']}/{summary['tasks']} solved; "
        f"median {summary['median_seconds_solved']} s; wrote {args.out / 'train.md'}"
    )


if __name__ == "__main__":
    sys.exit(main())
