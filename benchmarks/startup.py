"""What a fresh process pays before it trains or parses: the fixed costs a compile avoids.

Every compile is a fresh process (and its module is re-verified in another), so one-time costs
count in every compile. Each row times one step in a new interpreter, the median of
`--repeats` runs, after the imports that step needs anyway:

- the first `torch.optim.Adam` built in a process (it imports `torch._dynamo`), against
  mipsdsl's `train.adam.Adam`, which the trainer uses instead;
- the spec parser built without lark's cache and from tables cached on disk (as
  `syntax/parse.py` does, in the user cache directory);
- importing sympy, which `extract/lattice.py` defers to the networks that need it;
- a `--jobs` worker's start, up to the stages' imports (`pipeline.STAGE_MODULES`) and its exit:
  spawned afresh, against forked from a forkserver that imported them once (as
  `scaleout.Processes` does; the server itself starts once per run, in the setup here).

    python benchmarks/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
GRAMMAR = (
    "from importlib import resources; import lark; "
    "grammar = resources.files('mipsdsl.syntax').joinpath('mips.lark').read_text()"
)
LARK = "lark.Lark(grammar, parser='lalr', propagate_positions=True, maybe_placeholders=False{})"
ADAM_SETUP = "import torch; p = [torch.nn.Parameter(torch.zeros(3))]"
WORKER_SETUP = (
    "import multiprocessing; from mipsdsl.pipeline import STAGE_MODULES; "
    "imports = 'import ' + ', '.join(STAGE_MODULES); "
    "context = multiprocessing.get_context({method!r})"
)
SERVER_SETUP = (
    "; context.set_forkserver_preload(list(STAGE_MODULES)); "
    "first = context.Process(target=exec, args=('',)); first.start(); first.join()"
)
WORKER = "worker = context.Process(target=exec, args=(imports,)); worker.start(); worker.join()"
CASES = {  # name: (setup, timed statement); {tables} is a file in a scratch directory
    "torch.optim.Adam, first in a process": (ADAM_SETUP, "torch.optim.Adam(p, lr=0.01)"),
    "mipsdsl Adam": (ADAM_SETUP + "; from mipsdsl.train.adam import Adam", "Adam(p, lr=0.01)"),
    "spec parser, built": (GRAMMAR, LARK.format("")),
    "spec parser, cached tables": (GRAMMAR, LARK.format(", cache={tables!r}")),
    "import sympy": ("", "import sympy"),
    "a --jobs worker, spawned": (WORKER_SETUP.format(method="spawn"), WORKER),
    "a --jobs worker, from the forkserver": (
        WORKER_SETUP.format(method="forkserver") + SERVER_SETUP,
        WORKER,
    ),
}


def seconds(setup: str, statement: str) -> float:
    """Seconds `statement` takes in a new interpreter, after `setup`."""
    code = (
        f"import time\n{setup}\nstarted = time.perf_counter()\n{statement}\n"
        "print(time.perf_counter() - started)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(done.stdout.split()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        tables = str(Path(scratch) / "mips.lark-tables")
        seconds(GRAMMAR, LARK.format(f", cache={tables!r}"))  # write the tables once
        for name, (setup, statement) in CASES.items():
            statement = statement.format(tables=tables)
            runs = [seconds(setup, statement) for _ in range(args.repeats)]
            rows.append({"step": name, "seconds": round(statistics.median(runs), 3)})
            print(f"{name:40s} {rows[-1]['seconds']:7.3f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine()}
    (args.out / "startup.json").write_text(
        json.dumps({**meta, "repeats": args.repeats, "rows": rows}, indent=2) + "\n"
    )
    lines = [
        "# Fixed costs of a fresh process",
        "",
        f"`python benchmarks/startup.py`: each step in a new interpreter, median of "
        f"{args.repeats} runs; Python {meta['python']}, {meta['machine']}.",
        "",
        "| step | seconds |",
        "|---|---|",
        *(f"| {r['step']} | {r['seconds']} |" for r in rows),
    ]
    (args.out / "startup.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out / 'startup.md'} and {args.out / 'startup.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
