"""Where training time goes: per task, each stage's steps and seconds, and the time of one
training step, one evaluation, one confirmation and one polish.

Each task is trained from scratch (a private cache) under cProfile; the trainer's functions are
read off the profile by name. Results go to benchmarks/results/profile.{json,md}.

    python benchmarks/profile_training.py [--budget 120] [SPEC ...]

(Not `profile.py`: run as a script, that name would shadow the standard library module cProfile
imports.)
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import tempfile
import time
from pathlib import Path

from mipsdsl import __version__
from mipsdsl.check import load_task

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_SPECS = ("add_mod_3", "sum_last4", "parity_last3", "majority_0_2", "newton_freebody")
# trainer functions timed, by the name cProfile knows them
PARTS = {
    "evaluation": "accuracy_on",
    "confirmation": "confirm",
    "mining": "_wrong",
    "polish": "_polish",
    "backward": "backward",
    "data": "make_dataset",
}


def profile(spec: Path, budget: float) -> dict:
    from mipsdsl.train.options import SearchOptions
    from mipsdsl.train.search import TrainingFailed, train

    task, _ = load_task(spec, sample=0)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    attempts: list[dict] = []
    solved = True
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MIPSDSL_CACHE_DIR"] = cache
        profiler.enable()
        try:
            network = train(task, SearchOptions(budget=budget), force=True)
            attempts = list(network.attempts)
        except TrainingFailed:
            solved = False
        profiler.disable()
    seconds = time.perf_counter() - started
    calls = _by_name(pstats.Stats(profiler))
    steps = sum(a["steps"] for a in attempts)
    train_loop = calls.get("train_models", (0, 0.0))[1]
    parts = {part: calls.get(name, (0, 0.0)) for part, name in PARTS.items()}
    outside = sum(parts[p][1] for p in ("evaluation", "confirmation", "mining", "polish"))
    return {
        "task": task.name,
        "solved": solved,
        "seconds": round(seconds, 2),
        "stages": [
            {
                "stage": f"d{a['depth']} n={a['hidden_sizes']} w={a['widths']}",
                "models": a["models"],
                "steps": a["steps"],
                "seconds": a["seconds"],
                "solved": a["solved"],
                "pass": a.get("pass", "main"),
            }
            for a in attempts
        ],
        "steps": steps,
        "ms_per_step": round(1000 * (train_loop - outside) / steps, 2) if steps else None,
        **{
            f"{part}_calls": count
            for part, (count, _) in parts.items()
            if part not in ("backward", "data")
        },
        **{
            f"ms_per_{part}": round(1000 * total / count, 2) if count else None
            for part, (count, total) in parts.items()
        },
    }


def _by_name(stats: pstats.Stats) -> dict[str, tuple[int, float]]:
    """function name -> (calls, cumulative seconds); same-named functions are merged."""
    out: dict[str, tuple[int, float]] = {}
    for name, function in stats.get_stats_profile().func_profiles.items():
        calls = int(function.ncalls.split("/")[-1])  # "total/primitive": primitive calls
        count, total = out.get(name, (0, 0.0))
        out[name] = (count + calls, total + function.cumtime)
    return out


def markdown(rows: list[dict], budget: float) -> str:
    lines = [
        "# Where training time goes",
        "",
        f"`python benchmarks/profile_training.py --budget {budget:g}`, mipsdsl {__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs; each task trained from scratch under "
        "cProfile (which adds overhead: compare rows, not absolute times).",
        "",
        "| task | solved | seconds | steps | ms/step | ms/evaluation (calls) | "
        "ms/confirmation (calls) | ms/polish (calls) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {'yes' if r['solved'] else 'no'} | {r['seconds']} | {r['steps']} | "
            f"{r['ms_per_step']} | {r['ms_per_evaluation']} ({r['evaluation_calls']}) | "
            f"{r['ms_per_confirmation']} ({r['confirmation_calls']}) | "
            f"{r['ms_per_polish']} ({r['polish_calls']}) |"
        )
    lines += ["", "## Stages, in the order they ran", ""]
    for r in rows:
        lines.append(
            f"- **{r['task']}**: "
            + "; ".join(
                f"{s['stage']} x{s['models']} ({s['pass']}): {s['steps']} steps, {s['seconds']} s, "
                f"{'solved' if s['solved'] else 'not solved'}"
                for s in r["stages"]
            )
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    specs = args.specs or [ROOT / "specs" / f"{name}.mips" for name in DEFAULT_SPECS]
    rows = []
    for spec in specs:
        row = profile(spec, args.budget)
        rows.append(row)
        print(
            f"{row['task']:24s} {row['seconds']:7.1f} s  {row['steps']:6d} steps  "
            f"{row['ms_per_step']} ms/step  {row['ms_per_evaluation']} ms/eval  "
            f"{row['ms_per_confirmation']} ms/confirm",
            flush=True,
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "profile.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    (args.out / "profile.md").write_text(markdown(rows, args.budget), encoding="utf-8")
    print(f"wrote {args.out / 'profile.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
