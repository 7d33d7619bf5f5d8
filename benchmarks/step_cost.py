"""What one batched training step costs against the number of models in the batch.

A stage trains all its models as one padded computation (`mipsdsl.train.model.BatchedRNN`). This
times one forward and backward pass (batch 128, length 10, one CPU thread, the median of
`--repeats` timings of `--steps` steps each) for 1, 6 and 24 models of the search's linear and
MLP shapes, so that a claim about how cheap batching is rests on a table. With `--torch-compile`
it also times the same steps through `torch.compile` (inductor, the default mode) at 1 and 24
models, and the seconds its first step takes to compile: a lever the per-operation overhead of
tiny networks invites, measured rather than assumed. Results go to
benchmarks/results/step_cost.{json,md}.

    python benchmarks/step_cost.py [--steps 40] [--repeats 5] [--torch-compile]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from mipsdsl import __version__
from mipsdsl.train.model import Architecture, BatchedRNN

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SHAPES = {  # name: (hidden, depth of f, width)
    "linear f, n=4": (4, 1, 0),
    "MLP f, n=2, width 32": (2, 2, 32),
}
MODEL_COUNTS = (1, 6, 24)
COMPILED_COUNTS = (1, 24)
BATCH, LENGTH, IN_DIM, OUT_DIM = 128, 10, 4, 3


def step_ms(
    models: int, hidden: int, depth: int, width: int, steps: int, repeats: int, compiled=False
) -> tuple[float, float]:
    """Median milliseconds per forward and backward pass of `models` identical architectures,
    and the seconds of the first pass (where `compiled`, torch.compile's compilation)."""
    arch = Architecture(hidden, depth, width)
    model = BatchedRNN([arch] * models, list(range(models)), IN_DIM, OUT_DIM)
    forward = torch.compile(model) if compiled else model
    x = torch.randn(BATCH, LENGTH, IN_DIM, generator=torch.Generator().manual_seed(0))
    started = time.perf_counter()
    forward(x)[0].square().sum().backward()
    first = time.perf_counter() - started
    timings = []
    for repeat in range(repeats + 1):  # the first round warms up
        started = time.perf_counter()
        for _ in range(steps):
            out, _ = forward(x)
            out.square().sum().backward()
        if repeat:
            timings.append(1000 * (time.perf_counter() - started) / steps)
    return statistics.median(timings), first


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--torch-compile", action="store_true")
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as the search trains
    rows, compiled = [], []
    for name, (hidden, depth, width) in SHAPES.items():
        row = {"shape": name}
        for count in MODEL_COUNTS:
            ms, _ = step_ms(count, hidden, depth, width, args.steps, args.repeats)
            row[f"ms_{count}"] = round(ms, 2)
        row["ratio_24_to_1"] = round(row["ms_24"] / row["ms_1"], 1)
        rows.append(row)
        print(
            f"{name:24s} "
            + "  ".join(f"x{c} {row[f'ms_{c}']:6.2f} ms" for c in MODEL_COUNTS)
            + f"  (24 cost {row['ratio_24_to_1']}x one)"
        )
        for count in COMPILED_COUNTS if args.torch_compile else ():
            ms, first = step_ms(count, hidden, depth, width, args.steps, args.repeats, True)
            compiled.append(
                {
                    "shape": name,
                    "models": count,
                    "eager_ms": row[f"ms_{count}"],
                    "compiled_ms": round(ms, 2),
                    "compile_seconds": round(first, 1),
                }
            )
            print(f"{name:24s} x{count} torch.compile {ms:6.2f} ms, first step {first:.1f} s")
    meta = {
        "mipsdsl": __version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "batch": BATCH,
        "length": LENGTH,
        "steps": args.steps,
        "repeats": args.repeats,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    results = {**meta, "rows": rows, "torch_compile": compiled}
    (args.out / "step_cost.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Cost of a batched training step",
        "",
        f"`python benchmarks/step_cost.py`: one forward and backward pass, batch {BATCH}, "
        f"length {LENGTH}, one CPU thread, median of {args.repeats} x {args.steps} steps; "
        f"mipsdsl {__version__}, torch {torch.__version__}, {platform.machine()}.",
        "",
        "| shape | " + " | ".join(f"ms, {c} in the batch" for c in MODEL_COUNTS) + " | 24 / 1 |",
        "|---|" + "---|" * (len(MODEL_COUNTS) + 1),
    ]
    for row in rows:
        cells = " | ".join(str(row[f"ms_{c}"]) for c in MODEL_COUNTS)
        lines.append(f"| {row['shape']} | {cells} | {row['ratio_24_to_1']}x |")
    if compiled:
        lines += [
            "",
            "Through `torch.compile` (`--torch-compile`), the same steps:",
            "",
            "| shape | models | eager ms | compiled ms | first step, s |",
            "|---|---|---|---|---|",
            *(
                f"| {c['shape']} | {c['models']} | {c['eager_ms']} | {c['compiled_ms']} "
                f"| {c['compile_seconds']} |"
                for c in compiled
            ),
        ]
    (args.out / "step_cost.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out / 'step_cost.md'} and {args.out / 'step_cost.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
