"""Data-generation throughput: labelled sequences per second for every spec.

Each spec's data set of N sequences (generation + labelling) is made `--repeats` times; the table
shows the median time and the resulting sequences per second. Results go to
benchmarks/results/datagen.{json,md}.

    python benchmarks/datagen.py [-n 100000] [--repeats 5] [SPEC ...]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from mipsdsl import __version__
from mipsdsl.check import load_task
from mipsdsl.data import make_dataset

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def measure(spec: Path, n: int, repeats: int) -> dict:
    task, _ = load_task(spec, sample=0)
    seconds = []
    for repeat in range(repeats):
        start = time.perf_counter()
        make_dataset(task, n=n, seed=repeat)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {
        "task": task.name,
        "length": task.max_length,
        "style": "stateful" if task.states else "declarative",
        "generator": (
            "uniform" if task.generator.is_uniform and not task.generator.distinct else "custom"
        ),
        "median_s": round(median, 4),
        "sequences_per_s": round(n / median),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("-n", type=int, default=100_000, help="sequences per data set")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    specs = args.specs or sorted((ROOT / "specs").glob("*.mips"))
    rows = []
    for spec in specs:
        rows.append(measure(spec, args.n, args.repeats))
        row = rows[-1]
        print(
            f"{row['task']:<26} {row['median_s']:>8.3f} s {row['sequences_per_s']:>12,} seq/s",
            flush=True,
        )
    rates = [r["sequences_per_s"] for r in rows]
    summary = {
        "mipsdsl": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "sequences": args.n,
        "repeats": args.repeats,
        "median_sequences_per_s": round(statistics.median(rates)),
        "min_sequences_per_s": min(rates),
        "max_sequences_per_s": max(rates),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "datagen.json").write_text(
        json.dumps({"summary": summary, "tasks": rows}, indent=2) + "\n"
    )
    lines = [
        f"# Data generation: {args.n:,} labelled sequences per spec, median of {args.repeats} runs",
        "",
        f"mipsdsl {__version__}, numpy {np.__version__}, Python {summary['python']}, "
        f"{summary['machine']}.",
        f"Median over specs: {summary['median_sequences_per_s']:,} sequences/s "
        f"(min {summary['min_sequences_per_s']:,}, max {summary['max_sequences_per_s']:,}).",
        "",
        "| task | length | target | generator | median s | sequences/s |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['length']} | {r['style']} | {r['generator']} | "
            f"{r['median_s']:.3f} | {r['sequences_per_s']:,} |"
        )
    (args.out / "datagen.md").write_text("\n".join(lines) + "\n")
    print(
        f"\nmedian {summary['median_sequences_per_s']:,} seq/s over {len(rows)} specs; "
        f"wrote {args.out / 'datagen.md'} and datagen.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
