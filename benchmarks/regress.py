"""Regression benchmark: how fast the formula search solves the tables of the benchmark tasks.

For every spec written with explicit state (`state` / `update`), the table a perfect extraction
would hand to regression is built from the spec's own program over generated inputs: one row per
distinct (old states, inputs), with the new states and outputs as targets. Each target is then
solved as `mipsc compile` does (integer-linear first, else the exact enumerative search on a
sample of rows that grows by the rows a candidate got wrong), and the enumerative search alone is
timed on every target for its throughput. This measures the regressor, not extraction.

    python benchmarks/regress.py [SPEC ...] [--seconds 10] [--max-size 9] [-o DIR]

Results: benchmarks/results/regress.{json,md}.
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

ROOT = Path(__file__).resolve().parent.parent


def table(task, n: int = 2000, seed: int = 0):
    """Columns (old states, inputs) and targets (new states, outputs) of the spec's program."""
    from mipsdsl.data.dataset import rng_for
    from mipsdsl.data.generate import generate_inputs
    from mipsdsl.program import program_from_task, unroll

    program = program_from_task(task)
    x, lengths = generate_inputs(task, n, rng_for(seed, 9), task.length)
    valid = np.arange(x.shape[1])[None, :] < lengths[:, None]
    env = {name: x[..., i] for i, name in enumerate(program.inputs)}
    after = unroll(program.states, program.steps, env, valid)
    outputs = program.run(x, lengths)
    columns, targets = {}, {}
    for name, initial in program.states:
        before = np.concatenate([np.full((len(x), 1), initial), after[name][:, :-1]], axis=1)
        columns[name] = before[valid]
        targets[f"{name}'"] = after[name][valid]
    columns.update({name: env[name][valid] for name in program.inputs})
    targets.update({name: outputs[..., o][valid] for o, name in enumerate(program.output_names)})
    rows = np.unique(np.column_stack(list(columns.values()) + list(targets.values())), axis=0)
    k = len(columns)
    return (
        {name: rows[:, i] for i, name in enumerate(columns)},
        {name: rows[:, k + j] for j, name in enumerate(targets)},
    )


def _median(values):
    values = list(values)
    return statistics.median(values) if values else None


def _rate(value) -> str:
    return "untimed" if value is None else f"{value:,}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*")
    parser.add_argument("--seconds", type=float, default=10.0, help="search time per target")
    parser.add_argument("--max-size", type=int, default=9)
    parser.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)

    from mipsdsl import expr as E
    from mipsdsl.check import load_task
    from mipsdsl.emit.printer import to_mips
    from mipsdsl.extract.enumerative import RegressionBudget, regress
    from mipsdsl.extract.tables import regress_table

    specs = args.specs or sorted(
        str(p) for p in (ROOT / "specs").glob("*.mips") if "\nstate " in p.read_text()
    )
    rows = []
    for spec in specs:
        task, _ = load_task(spec)
        columns, targets = table(task)
        for target_name, target in targets.items():
            start = time.perf_counter()
            (found,), (linear,) = regress_table(columns, [target], args.seconds, args.max_size)
            solve = time.perf_counter() - start
            sample = {name: column[:300] for name, column in columns.items()}
            budget = RegressionBudget(args.max_size, args.seconds)
            raw = regress(sample, [target[:300]], budget=budget)
            size = None if found is None else sum(1 for _ in E.walk(found))
            rows.append(
                {
                    "task": task.name,
                    "target": target_name,
                    "rows": len(target),
                    "found": to_mips(found) if found else None,
                    "size": size,
                    "method": "integer linear" if linear else "enumerative" if found else "-",
                    "solve_seconds": round(solve, 3),
                    "enumerated": raw.candidates,
                    "candidates_per_second": round(raw.candidates / max(raw.seconds, 1e-9)),
                    "work_per_second": round(raw.work / max(raw.seconds, 1e-9)),
                }
            )
            print(
                f"{task.name:18} {target_name:10} {rows[-1]['method']:14} {solve:7.3f} s  "
                f"{rows[-1]['found']}",
                file=sys.stderr,
            )
    solved = [r for r in rows if r["found"]]
    searched = [r for r in rows if r["enumerated"] > 1000]  # long enough to time a rate
    summary = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "seconds_per_target": args.seconds,
        "max_size": args.max_size,
        "targets": len(rows),
        "solved": len(solved),
        "median_solve_seconds": (
            round(statistics.median(r["solve_seconds"] for r in solved), 3) if solved else None
        ),
        "median_work_per_second": _median(r["work_per_second"] for r in searched),
        "median_candidates_per_second": _median(r["candidates_per_second"] for r in searched),
        "rows": rows,
    }
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "regress.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [
        f"# Regression: {summary['solved']} of {summary['targets']} targets solved",
        "",
        f"Tables of the stateful benchmark specs; {args.seconds:g} s and {args.max_size} nodes per "
        f"target; {summary['machine']}. Median solve time {summary['median_solve_seconds']} s; "
        f"median enumerative throughput {_rate(summary['median_candidates_per_second'])} "
        f"distinct candidates/s, {_rate(summary['median_work_per_second'])} candidate values/s "
        "(the work a regression budget counts).",
        "",
        "| task | target | rows | method | formula | nodes | seconds | candidates/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['target']} | {r['rows']} | {r['method']} | "
            f"`{r['found'] or '-'}` | {r['size'] or ''} | {r['solve_seconds']} | "
            f"{r['candidates_per_second']:,} |"
        )
    (out / "regress.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
