"""Which tasks need each kind of candidate relation in the proof, and how long proofs take.

Each spec is compiled (from the training cache: run it after `mipsc bench`, with the same
MIPSDSL_CACHE_DIR) to get its program, which is then proved with every kind of relation, and
again with each kind left out (`mipsdsl.prove.relations.KINDS`). Results go to
benchmarks/results/prove_ablation.{json,md}.

    python benchmarks/prove_ablation.py [SPEC ...]

(default: the specs with a module in generated/)
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from mipsdsl import CompileOptions, compile_spec, load_task
from mipsdsl.prove import EVERY_LENGTH, prove
from mipsdsl.prove.relations import KINDS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def measure(spec: Path, output_dir: Path) -> dict:
    compiled = compile_spec(spec, CompileOptions(output_dir=output_dir, recompile=True))
    task, _ = load_task(spec)
    assert compiled.program is not None
    started = time.perf_counter()
    full = prove(task, compiled.program)
    seconds = time.perf_counter() - started
    needs = [
        kind
        for kind in KINDS
        if prove(task, compiled.program, kinds=set(KINDS) - {kind}).proved != EVERY_LENGTH
    ]
    return {"task": task.name, "proved": full.proved, "seconds": round(seconds, 3), "needs": needs}


def markdown(rows: list[dict]) -> str:
    proved = sum(r["proved"] == EVERY_LENGTH for r in rows)
    median = statistics.median(r["seconds"] for r in rows)
    lines = [
        "# The proof: which tasks need each kind of relation",
        "",
        f"`python benchmarks/prove_ablation.py`: {proved} of {len(rows)} programs proved for every "
        f"length, median {median:.3f} s. A task needs a kind when, without it, its program is not "
        "proved for every length.",
        "",
        "| kind | tasks that need it |",
        "|---|---|",
    ]
    for kind in KINDS:
        needing = [r["task"] for r in rows if kind in r["needs"]]
        lines.append(f"| {kind} | {len(needing)}: {', '.join(needing) or '-'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    specs = args.specs or [
        ROOT / "specs" / f"{module.stem}.mips"
        for module in sorted((ROOT / "generated").glob("*.py"))
    ]
    rows = []
    with tempfile.TemporaryDirectory() as output_dir:
        for spec in specs:
            rows.append(measure(spec, Path(output_dir)))
            print(rows[-1], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "prove_ablation.json").write_text(json.dumps(rows, indent=2) + "\n")
    (args.out / "prove_ablation.md").write_text(markdown(rows))
    print(f"wrote {args.out / 'prove_ablation.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
