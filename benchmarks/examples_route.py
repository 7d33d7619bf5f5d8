"""The examples-only route against AALpy's passive learner (RPNI) on finite-state tasks.

For each task below, an .npz of `-n` sequences (20,000 by default) is generated from the benchmark
spec with mipsdsl's own data generation (so the file is what the spec defines) and an
examples-only spec naming it is written. Then, on the same file:

- `mipsc compile` runs in a subprocess, with a fresh cache and output directory each time, so
  nothing is cached; its wall time is measured from outside, with the per-stage seconds of its
  JSON report;
- AALpy's RPNI (`run_RPNI`, generalised state merging, a Mealy machine over the prefix-closed
  samples) learns a machine, timed from loading the file to the learned automaton.

Both learned programs are then checked on fresh sequences of 10x the spec's length, labelled by
the spec: mipsc's module is imported and its `run` called, AALpy's automaton is stepped.

    .venv/bin/pip install -e ".[bench]"  # the optional comparison: AALpy 2.0 or newer
    python benchmarks/examples_route.py [TASK ...] [-n 20000] [--repeats 1] [--budget 300]

Results: benchmarks/results/examples_route.{json,md}. The machine's load (`uptime`) is recorded
with every measurement: on a shared machine the times are noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
MIPSC = Path(sys.executable).parent / "mipsc"

# Twelve benchmark specs whose outputs a finite-state machine computes at the spec's length, and
# why each is here. The last two count: exact at length 10 with finitely many states, but their
# machine needs a counter (unbounded states) at 10x the length.
TASKS = {
    "parity_all": "parity of all bits: a 2-state counter mod 2",
    "parity_zeros": "count of zeros mod 2: a 2-state counter on one symbol",
    "parity_last2": "xor of the last 2 bits: a window of 2 (4 states)",
    "parity_last3": "parity of the last 3 bits: a window of 3 (8 states, 4 needed)",
    "alternating_last3": "the last 3 bits alternate: a window of 3 (4 states needed)",
    "add_mod_3": "running sum mod 3 over 3 symbols: a 3-state counter",
    "add_mod_4": "running sum mod 4 over 4 symbols: a 4-state counter",
    "div_3": "long division by 3: a 3-state remainder automaton",
    "div_5": "long division by 5: a 5-state remainder automaton",
    "binary_addition": "binary addition, two input channels: a 2-state carry automaton",
    "balanced_parenthesis": "counting: depth of brackets (finite only up to the length)",
    "majority_0_1": "counting: the more frequent bit so far (finite only up to the length)",
}
COUNTING = ("balanced_parenthesis", "majority_0_1")
FILE_STREAM = 20  # data streams no stage of mipsc draws from: the examples file ...
LONG_STREAM = 21  # ... and the fresh 10x-long check sequences


def load() -> str:
    """The load averages, as `uptime` says them."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def examples_spec(task, data_name: str) -> str:
    """An examples-only spec with the task's inputs: the data file defines everything else."""
    description = task.description.replace("\\", "/").replace('"', "'")
    lines = [f'task {task.name} "{description}"']
    for channel in task.inputs:
        lines.append(f"input {channel.name} in {{{', '.join(map(str, channel.values))}}}")
    lines.append(f'examples "{data_name}"')
    lines += [f"output {o.name}" for o in task.outputs]
    return "\n".join(lines) + "\n"


def write_examples(task, n: int, directory: Path) -> Path:
    from mipsdsl.data import make_dataset, save_dataset

    data = make_dataset(task, n=n, stream=FILE_STREAM)
    path = directory / f"{task.name}.npz"
    save_dataset(data, path)
    spec = directory / f"{task.name}.mips"
    spec.write_text(examples_spec(task, path.name), encoding="utf-8")
    return spec


def run_mipsc(spec: Path, budget: float, work: Path) -> dict:
    """`mipsc compile --json` in a child with its own empty cache and output directory."""
    cache, out = work / "cache", work / "out"
    for directory in (cache, out):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    command = [str(MIPSC), "compile", str(spec), "--json", "--budget", str(budget)]
    command += ["--cache-dir", str(cache), "-o", str(out)]
    before = load()
    start = time.perf_counter()
    child = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    row: dict = {"seconds": round(seconds, 1), "load_before": before, "load_after": load()}
    try:
        report = json.loads(child.stdout)[0]
    except (ValueError, IndexError, KeyError):
        report = {}
    if child.returncode != 0 or report.get("error"):
        row["error"] = (report.get("error") or child.stderr.strip()[-500:]) or "no report"
        row["stages"] = report.get("seconds", {})
        return row
    row.update(
        {
            "stages": report.get("seconds", {}),
            "verified": all(v == "passed" for v in report.get("verification", {}).values()),
            "symbolic": bool(report.get("symbolic")),
            "path": report.get("extraction_path"),
            "architecture": report.get("architecture"),
            "module": report.get("path"),
            "labellings_tried": (report.get("search") or {})
            .get("details", {})
            .get("labellings_tried", []),
        }
    )
    return row


def run_aalpy(data_path: Path) -> tuple[dict, object]:
    """RPNI (GSM) on the file: load, make prefix-closed Mealy samples, learn. Timed together."""
    from aalpy.learning_algs import run_RPNI

    before = load()
    start = time.perf_counter()
    with np.load(data_path) as archive:
        x, y, lengths = archive["x"], archive["y"], archive["lengths"]
    samples = {}
    for xs, ys, n in zip(x.tolist(), y.tolist(), lengths.tolist(), strict=True):
        word: tuple = ()
        for t in range(n):
            word += (_symbol(xs[t]),)
            samples[word] = _symbol(ys[t])
    model = run_RPNI(
        list(samples.items()), "mealy", algorithm="gsm", input_completeness="sink_state",
        print_info=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    row = {"seconds": round(seconds, 2), "load_before": before, "load_after": load()}
    if model is None:
        row["error"] = "RPNI: the data is not deterministic"
        return row, None
    row["states"] = len(model.states)
    return row, model


def _symbol(values: list[int]):
    """One position's channels: an int for one channel, a tuple for several."""
    return values[0] if len(values) == 1 else tuple(values)


def long_check(task, factor: int, n: int, seed: int):
    """n fresh sequences of factor x the spec's length, from the spec's generator and labels."""
    from mipsdsl.data import make_dataset

    return make_dataset(task, n=n, seed=seed, length=factor * task.max_length, stream=LONG_STREAM)


def accuracy(predict, data) -> float:
    """Share of sequences whose every output `predict` (a list of symbols) gets right."""
    right = 0
    for xs, ys, n in zip(data.x.tolist(), data.y.tolist(), data.lengths.tolist(), strict=True):
        try:
            got = predict([_symbol(v) for v in xs[:n]])
        except Exception:  # noqa: BLE001 - a program that fails on a sequence gets it wrong
            continue
        right += list(got) == [_symbol(v) for v in ys[:n]]
    return right / len(data)


def module_predictor(path: str):
    spec = importlib.util.spec_from_file_location(f"_examples_route_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda xs: [_plain(v) for v in module.run(xs)]


def _plain(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def automaton_predictor(model):
    def predict(xs):
        model.reset_to_initial()
        return [model.step(v) for v in xs]

    return predict


def measure(name: str, args, work: Path) -> dict:
    from mipsdsl.check import load_task

    task, _ = load_task(ROOT / "specs" / f"{name}.mips", sample=0)
    directory = work / name
    directory.mkdir(parents=True, exist_ok=True)
    spec = write_examples(task, args.n, directory)
    data_path = directory / f"{name}.npz"
    long = long_check(task, args.factor, args.check_sequences, task.data.seed)
    ours = [run_mipsc(spec, args.budget, directory / "mipsc") for _ in range(args.repeats)]
    mipsc = sorted(ours, key=lambda r: r["seconds"])[len(ours) // 2]  # the median run
    mipsc["runs_seconds"] = [r["seconds"] for r in ours]
    if "error" not in mipsc:
        mipsc["accuracy_10x"] = round(accuracy(module_predictor(mipsc["module"]), long), 4)
        mipsc.pop("module")
    theirs = [run_aalpy(data_path) for _ in range(args.repeats)]
    aalpy, model = sorted(theirs, key=lambda r: r[0]["seconds"])[len(theirs) // 2]
    aalpy["runs_seconds"] = [r["seconds"] for r, _ in theirs]
    if model is not None:
        aalpy["accuracy_10x"] = round(accuracy(automaton_predictor(model), long), 4)
    shutil.rmtree(directory / "mipsc", ignore_errors=True)
    return {
        "task": name,
        "why": TASKS.get(name, ""),
        "counting": name in COUNTING,
        "length": task.max_length,
        "check_length": args.factor * task.max_length,
        "mipsc": mipsc,
        "aalpy": aalpy,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="*", help=f"spec names (default: {len(TASKS)} tasks)")
    parser.add_argument("-n", type=int, default=20_000, help="sequences in each examples file")
    parser.add_argument("--repeats", type=int, default=1, help="runs per task (median kept)")
    parser.add_argument("--budget", type=float, default=300.0, help="mipsc training budget")
    parser.add_argument("--factor", type=int, default=10, help="check length, x spec length")
    parser.add_argument("--check-sequences", type=int, default=1000)
    parser.add_argument("--note", default="", help="a paragraph added to the markdown")
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if importlib.util.find_spec("aalpy") is None:
        print(
            "examples_route.py compares with AALpy, which is not installed: "
            "pip install 'mipsdsl[bench]' (AALpy 2.0 or newer)",
            file=sys.stderr,
        )
        return 2
    unknown = [t for t in args.tasks if not (ROOT / "specs" / f"{t}.mips").is_file()]
    if unknown:
        parser.error(f"no spec in specs/ for {', '.join(unknown)}")
    rows = []
    work = Path(tempfile.mkdtemp(prefix="mipsdsl-examples-route-"))
    try:
        for name in args.tasks or list(TASKS):
            rows.append(measure(name, args, work))
            print(line(rows[-1]), flush=True)
            write_results(rows, args)  # a long run leaves a usable table at every step
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_results(rows, args)
    print(summary(rows))
    return 0


def _yes(value) -> str:
    return {True: "yes", False: "no", None: "-"}[value]


def _acc(row: dict) -> str:
    value = row.get("accuracy_10x")
    return "-" if value is None else f"{value:.1%}"


def line(row: dict) -> str:
    m, a = row["mipsc"], row["aalpy"]
    status = m.get("error", "")[:60]
    return (
        f"{row['task']:<22} mipsc {m['seconds']:>6.1f} s verified {_yes(m.get('verified')):<3} "
        f"symbolic {_yes(m.get('symbolic')):<3} 10x {_acc(m):>6} | AALpy {a['seconds']:>5.2f} s "
        f"{a.get('states', '-')!s:>4} states 10x {_acc(a):>6}  load {m['load_before']} {status}"
    )


def medians(rows: list[dict]) -> dict:
    def med(values):
        return round(statistics.median(values), 2) if values else None

    return {
        "mipsc_seconds": med([r["mipsc"]["seconds"] for r in rows]),
        "aalpy_seconds": med([r["aalpy"]["seconds"] for r in rows]),
        "mipsc_right_at_10x": sum(r["mipsc"].get("accuracy_10x") == 1.0 for r in rows),
        "aalpy_right_at_10x": sum(r["aalpy"].get("accuracy_10x") == 1.0 for r in rows),
        "tasks": len(rows),
    }


def summary(rows: list[dict]) -> str:
    m = medians(rows)
    return (
        f"median seconds: mipsc {m['mipsc_seconds']}, AALpy {m['aalpy_seconds']}; exact at 10x "
        f"the length: mipsc {m['mipsc_right_at_10x']} of {m['tasks']}, AALpy "
        f"{m['aalpy_right_at_10x']} of {m['tasks']}"
    )


def environment() -> dict:
    import aalpy  # noqa: F401 - installed: main checked
    import torch

    from mipsdsl import __version__

    return {
        "mipsdsl": __version__,
        "aalpy": _version("aalpy"),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def write_results(rows: list[dict], args) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    env = environment()
    settings = {
        "sequences": args.n,
        "repeats": args.repeats,
        "budget": args.budget,
        "check_factor": args.factor,
        "check_sequences": args.check_sequences,
        "note": args.note,
    }
    report = {**env, **settings, "medians": medians(rows), "tasks": rows}
    (args.out / "examples_route.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "examples_route.md").write_text(markdown(rows, env, settings))


def markdown(rows: list[dict], env: dict, settings: dict) -> str:
    m = medians(rows)
    lines = [
        "# The examples-only route: mipsc against AALpy's RPNI",
        "",
        f"Each task's spec generated an .npz of {settings['sequences']:,} sequences (mipsdsl's own "
        "data generation); `mipsc compile` ran on an examples-only spec naming it (a subprocess, "
        "empty cache, training budget "
        f"{settings['budget']:g} s), and AALpy {env['aalpy']}'s `run_RPNI` (GSM, a Mealy machine) "
        "on the same file, timed from loading it. Both learned programs were then run on "
        f"{settings['check_sequences']:,} fresh sequences {settings['check_factor']}x the spec's "
        "length, labelled by the spec (an accuracy is the share of sequences right at every "
        "position). "
        f"Each task ran {settings['repeats']} time(s) (the median run kept) on a machine of "
        f"{env['cpus']} cores shared with other sessions: the load column is `uptime`'s before "
        f"each mipsc run, and times are noisy. mipsdsl {env['mipsdsl']}, torch {env['torch']}, "
        f"Python {env['python']}, {env['machine']}.",
        "",
        f"Median seconds: mipsc {m['mipsc_seconds']}, AALpy {m['aalpy_seconds']}. Exact on every "
        f"check sequence at {settings['check_factor']}x the length: mipsc "
        f"{m['mipsc_right_at_10x']} of {m['tasks']}, AALpy {m['aalpy_right_at_10x']} of "
        f"{m['tasks']}.",
        "",
        *([settings["note"], ""] if settings.get("note") else []),
        "| task | mipsc s | verified | symbolic | mipsc 10x | AALpy s | AALpy states | AALpy 10x "
        "| load (1, 5, 15 min) | why in the list |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        mi, aa = row["mipsc"], row["aalpy"]
        note = f" ({mi['error'][:80]})" if "error" in mi else ""
        lines.append(
            f"| {row['task']} | {mi['seconds']:.1f}{note} | {_yes(mi.get('verified'))} "
            f"| {_yes(mi.get('symbolic'))} | {_acc(mi)} | {aa['seconds']:.2f} "
            f"| {aa.get('states', '-')} | {_acc(aa)} | {mi['load_before']} | {row['why']} |"
        )
    lines += ["", "mipsc's seconds per stage (from its JSON report):", ""]
    for row in rows:
        stages = ", ".join(f"{k} {v}" for k, v in row["mipsc"].get("stages", {}).items())
        lines.append(f"- {row['task']}: {stages}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
