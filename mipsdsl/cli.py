"""`mipsc`: the command line. It parses arguments and calls the stages; it holds no logic of its
own.

Exit codes: 0 ok, 1 spec or data errors, 2 usage errors. No input produces a Python traceback.

A project's defaults for `mipsc compile` (which specs, where modules go, the budgets) come from the
`[tool.mipsc]` table of the nearest pyproject.toml; options given on the command line win.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import importlib.metadata
import json
import logging
import os
import platform
import re
import sys
import time
import tomllib
from collections.abc import Generator
from pathlib import Path

from mipsdsl import __version__, lifeline, scaleout
from mipsdsl.arguments import float_in, int_in
from mipsdsl.check import MAX_LENGTH, load_task
from mipsdsl.data import make_dataset, save_dataset
from mipsdsl.data.dataset import check_memory
from mipsdsl.diagnostics import Severity, SpecError, SpecFileError
from mipsdsl.errors import DataError, MipsError
from mipsdsl.explain.command import add_explain_arguments, cmd_explain
from mipsdsl.lsp.server import add_lsp_arguments, cmd_lsp
from mipsdsl.syntax import read_spec
from mipsdsl.user_cache import cache_dir
from mipsdsl.verify import MODULE_TIMEOUT, PYTHON_EXHAUSTIVE_LIMIT, VerifyOptions, verify_module

EXIT_OK, EXIT_SPEC, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# `mipsc prove` looks this far for a counterexample at least: a saturating counter may hold out
# far past the spec's own length.
PROVE_LENGTH = 100
DEFAULT_PROVE_SECONDS = 60.0


class UsageError(Exception):
    pass


def versions() -> str:
    """`mipsc --version`: mipsdsl and what it runs on (read from package metadata: torch is not
    imported for this)."""
    found = []
    for package in ("torch", "numpy"):
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{package} not installed")
    return f"mipsc (mipsdsl) {__version__}; {', '.join(found)}; Python {platform.python_version()}"


def _cache_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where trained networks are cached (default: $MIPSDSL_CACHE_DIR, else "
        "$XDG_CACHE_HOME/mipsdsl, else ~/.cache/mipsdsl)",
    )


def _device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        default="cpu",
        help="where networks train (default cpu; on cuda each stage trains more seeds at once)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mipsc",
        description="Compile .mips task specs into Python programs read out of trained RNNs.",
    )
    parser.add_argument("--version", action="version", version=versions())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="check specs and report every problem found")
    check.add_argument("specs", nargs="+", metavar="SPEC", help=".mips files")
    check.add_argument("--json", action="store_true", help="print a JSON report")
    check.add_argument("--quiet", "-q", action="store_true", help="print errors and warnings only")

    data = commands.add_parser("data", help="generate labelled sequences from a spec")
    data.add_argument("spec", metavar="SPEC", help="a .mips file")
    data.add_argument("-n", type=int_in(1, 100_000_000, "-n"), default=5, help="sequences")
    data.add_argument("--seed", type=int_in(0, 2**32 - 1, "--seed"), default=None)
    data.add_argument(
        "--length",
        type=int_in(1, MAX_LENGTH, "--length"),
        default=None,
        help="sequence length (overrides the spec's, for generalisation tests)",
    )
    data.add_argument("-o", "--output", metavar="FILE.npz", help="write x, y, lengths as .npz")
    data.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")

    train = commands.add_parser("train", help="find and train the smallest exact RNN for a spec")
    train.add_argument("spec", metavar="SPEC", help="a .mips file")
    train.add_argument(
        "--budget",
        type=float_in(1, 86_400, "--budget"),
        default=300.0,
        metavar="SECONDS",
        help="time for the whole search (default 300)",
    )
    train.add_argument(
        "--seeds",
        type=int_in(1, 64, "--seeds"),
        help="seeds per architecture (default 3 on cpu, 12 on cuda)",
    )
    _device_option(train)
    _cache_dir_option(train)
    train.add_argument("--force", action="store_true", help="ignore the checkpoint cache")
    train.add_argument("--json", action="store_true", help="print the result as JSON")
    train.add_argument("--quiet", "-q", action="store_true", help="no progress bars")

    compile_ = commands.add_parser(
        "compile", help="train, extract, verify and write a Python module for each spec"
    )
    compile_.add_argument(
        "specs", nargs="*", metavar="SPEC", help=".mips files (default: [tool.mipsc] specs)"
    )
    compile_.add_argument(
        "-o",
        "--output-dir",
        default=None,
        metavar="DIR",
        help="where modules are written (default: [tool.mipsc] output-dir, else generated/)",
    )
    compile_.add_argument(
        "--seed",
        type=int_in(0, 2**32 - 1, "--seed"),
        default=None,
        help="first training seed (default: the spec's seed)",
    )
    compile_.add_argument(
        "--budget",
        type=float_in(1, 86_400, "--budget"),
        default=None,
        metavar="SECONDS",
        help="training time per spec (default: [tool.mipsc] budget, else 300)",
    )
    compile_.add_argument(
        "--regress-budget",
        type=float_in(0.1, 86_400, "--regress-budget"),
        default=None,
        metavar="SECONDS",
        help="formula search per spec, in nominal seconds of work "
        "(default: [tool.mipsc] regress-budget, else 60)",
    )
    compile_.add_argument(
        "--regressor",
        choices=("enumerative", "pysr"),
        default="enumerative",
        help="formula search: our exact enumeration (default) or PySR, " "which needs Julia",
    )
    compile_.add_argument(
        "--force", action="store_true", help="retrain and recompile even when cached or up to date"
    )
    compile_.add_argument(
        "--check",
        action="store_true",
        help="compile nothing; fail if a module is missing, stale or edited",
    )
    compile_.add_argument(
        "--diff",
        action="store_true",
        help="with --check: show what compiling would change in each failing module",
    )
    compile_.add_argument(
        "--report",
        metavar="DIR",
        help="also write compile.json and compile.md, with the search's log, to DIR",
    )
    _device_option(compile_)
    _cache_dir_option(compile_)
    compile_.add_argument(
        "--jobs",
        "-j",
        type=int_in(1, 64, "--jobs"),
        default=1,
        help="specs compiled at once, one process each (default 1)",
    )
    compile_.add_argument("--json", action="store_true", help="print a JSON report")
    compile_.add_argument("--quiet", "-q", action="store_true", help="no progress")

    bench = commands.add_parser(
        "bench", help="compile many specs (default specs/*.mips) and tabulate the results"
    )
    bench.add_argument("specs", nargs="*", metavar="SPEC", help=".mips files")
    bench.add_argument(
        "-o",
        "--output-dir",
        default="generated",
        metavar="DIR",
        help="where modules are written (default generated/)",
    )
    bench.add_argument(
        "--budget",
        type=float_in(1, 86_400, "--budget"),
        default=120.0,
        metavar="SECONDS",
        help="training time per spec (default 120)",
    )
    bench.add_argument(
        "--jobs",
        "-j",
        type=int_in(1, 4096, "--jobs"),
        default=None,
        help="specs compiled at once, one process or Ray task each (default 1; with --executor "
        "ray, the cluster's CPUs)",
    )
    bench.add_argument(
        "--report",
        default="benchmarks/results",
        metavar="DIR",
        help="where compile.md and compile.json go, and each task's result as tasks/<spec>.json "
        "(default benchmarks/results)",
    )
    bench.add_argument(
        "--force", action="store_true", help="rerun the tasks that already have a result file"
    )
    bench.add_argument(
        "--task-timeout",
        metavar="SECONDS",
        help="stop a task that runs longer and report it failed (default: no limit)",
    )
    bench.add_argument(
        "--shard",
        metavar="I/N",
        help="compile only the I-th of N slices of the sorted spec list (I from 1 to N)",
    )
    bench.add_argument(
        "--merge",
        nargs="+",
        metavar="DIR",
        help="compile nothing: build the report from the task files of these report directories",
    )
    bench.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="run tasks in local processes (default) or as Ray tasks",
    )
    bench.add_argument(
        "--address", metavar="ADDR", help="with --executor ray: the cluster (default: a local one)"
    )
    bench.add_argument(
        "--paper", metavar="TASKS.md", help="the benchmark catalogue, for the paper's columns"
    )
    bench.add_argument("--quiet", "-q", action="store_true", help="no progress")
    _device_option(bench)
    _cache_dir_option(bench)

    verify = commands.add_parser(
        "verify", help="check a Python module's run(xs) against a spec, level by level"
    )
    verify.add_argument("spec", metavar="SPEC", help="a .mips file")
    verify.add_argument("module", metavar="MODULE.py", help="a module defining run(xs) -> list")
    verify.add_argument(
        "-n",
        type=int_in(1, 10_000_000, "-n"),
        default=VerifyOptions.held_out,
        help="held-out sequences (default 100000)",
    )
    verify.add_argument(
        "--longer",
        type=int_in(1, 10_000_000, "--longer"),
        default=VerifyOptions.longer,
        metavar="N",
        help="sequences 10x longer than the spec's (default 10000)",
    )
    verify.add_argument(
        "--exhaustive-limit",
        type=int_in(1, 100_000_000, "--exhaustive-limit"),
        default=VerifyOptions.exhaustive_limit,
        metavar="N",
        help="check every input sequence when there are at most N "
        f"(at most {PYTHON_EXHAUSTIVE_LIMIT} for a Python module)",
    )
    verify.add_argument("--seed", type=int_in(0, 2**32 - 1, "--seed"), default=None)
    verify.add_argument(
        "--timeout",
        type=float_in(0.01, 86400, "--timeout"),
        default=MODULE_TIMEOUT,
        metavar="SECONDS",
        help="how long the module may take to import, or to run one sequence "
        f"(default {MODULE_TIMEOUT:g})",
    )
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")

    prove = commands.add_parser(
        "prove", help="prove a stateful spec equal to a spec, or show where they differ"
    )
    prove.add_argument("spec", metavar="SPEC", help="a .mips file: the reference")
    prove.add_argument(
        "candidate", metavar="CANDIDATE.mips", help="a stateful .mips file: states and updates"
    )
    prove.add_argument(
        "--length",
        type=int_in(1, 10_000, "--length"),
        default=None,
        metavar="N",
        help=f"search for a counterexample up to length N (default: the spec's, at least "
        f"{PROVE_LENGTH})",
    )
    prove.add_argument(
        "--timeout",
        type=float_in(0.1, 86400, "--timeout"),
        default=DEFAULT_PROVE_SECONDS,
        metavar="SECONDS",
        help=f"for the whole proof (default {DEFAULT_PROVE_SECONDS:g})",
    )
    prove.add_argument("--json", action="store_true", help="print the result as JSON")

    cache = commands.add_parser("cache", help="where trained networks are cached; clear them")
    cache.add_argument("action", choices=("path", "clear"), help="print the path, or clear it")
    _cache_dir_option(cache)

    explain = commands.add_parser(
        "explain", help="draw what the network learned: state graph, hidden states, summary"
    )
    add_explain_arguments(explain)
    lsp = commands.add_parser("lsp", help="serve diagnostics and hovers for .mips files on stdio")
    add_lsp_arguments(lsp)

    completion = commands.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=("bash", "zsh"))
    for command in commands.choices.values():
        command.allow_abbrev = False  # options are matched exactly: `--seed` is not `--seeds`
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a usage message on bad arguments
    try:
        _use_cache_dir(getattr(args, "cache_dir", None))
        commands = {
            "check": cmd_check,
            "data": cmd_data,
            "train": cmd_train,
            "compile": cmd_compile,
            "bench": cmd_bench,
            "verify": cmd_verify,
            "prove": cmd_prove,
            "cache": cmd_cache,
            "explain": cmd_explain,
            "lsp": cmd_lsp,
            "completion": cmd_completion,
        }
        return commands[args.command](args)
    except UsageError as exc:
        print(f"mipsc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SpecError as exc:
        _print_diagnostics(exc)
        return EXIT_USAGE if isinstance(exc, SpecFileError) else EXIT_SPEC
    except MipsError as exc:
        print(f"mipsc: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    except BrokenPipeError:  # `mipsc data spec | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_SPEC
    except OSError as exc:  # a path the system refuses (too long, a loop of links, ...)
        where = f"'{exc.filename}': " if exc.filename else ""
        print(f"mipsc: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: temporary files are already removed
        terminated = isinstance(exc, lifeline.Terminated)
        print(f"mipsc: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return 143 if terminated else 130
    except Exception as exc:  # a bug of ours: say so plainly rather than show a traceback
        if os.environ.get("MIPSDSL_DEBUG"):
            raise
        print(
            f"mipsc: internal error: {type(exc).__name__}: {exc}\n"
            "Please report this; set MIPSDSL_DEBUG=1 to see the traceback.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _print_diagnostics(exc: SpecError) -> None:
    for diagnostic in exc.diagnostics:
        print(diagnostic.format(exc.source), file=sys.stderr)


def _summary(task) -> str:
    lo, hi = task.length
    length = str(lo) if lo == hi else f"{lo}..{hi}"
    inputs = ", ".join(f"{c.name} in {_alphabet(c)}" for c in task.inputs)
    outputs = ", ".join(
        f"{o.name} in [{o.lo}, {o.hi}]" + (" (from the data)" if o.from_data else "")
        for o in task.outputs
    )
    return f"{task.name}: inputs {inputs}; length {length}; outputs {outputs}"


def _alphabet(channel) -> str:
    if channel.symbols:
        return "{" + ", ".join(repr(s) for s in channel.symbols) + "}"
    if len(channel.values) == channel.hi - channel.lo + 1:  # distinct values: a whole range
        return f"[{channel.lo}, {channel.hi + 1})"
    return "{" + ", ".join(map(str, channel.values)) + "}"


def cmd_check(args) -> int:
    status, report = EXIT_OK, []
    for path in args.specs:
        entry = {"path": path, "ok": True, "diagnostics": []}
        try:
            source = read_spec(path)  # kept to show the diagnostics in context
            task, warnings = load_task(path)
            entry["task"] = task.name
            entry["diagnostics"] = [d.to_json() for d in warnings]
            if not args.json:
                for diagnostic in warnings:
                    print(diagnostic.format(source), file=sys.stderr)
                if not args.quiet:
                    print(f"ok  {_summary(task)}")
        except SpecError as exc:
            status = max(status, EXIT_USAGE if isinstance(exc, SpecFileError) else EXIT_SPEC)
            entry["ok"] = False
            entry["diagnostics"] = [d.to_json() for d in exc.diagnostics]
            if not args.json:
                _print_diagnostics(exc)
        report.append(entry)
    if args.json:
        print(json.dumps(report, indent=2))
    elif len(args.specs) > 1 and not args.quiet:
        failed = sum(not e["ok"] for e in report)
        print(f"{len(report) - failed} of {len(report)} specs ok")
    return status


def cmd_data(args) -> int:
    output = Path(args.output) if args.output else None
    if output is not None:
        if output.is_dir():
            raise UsageError(f"'{output}' is a directory; give a file name such as data.npz")
        if not output.parent.is_dir():
            raise UsageError(f"cannot write '{output}': directory '{output.parent}' does not exist")
    source = read_spec(args.spec)  # kept to show the diagnostics in context
    task, warnings = load_task(args.spec)
    if not args.quiet:
        for diagnostic in warnings:
            if diagnostic.severity is Severity.WARNING:
                print(diagnostic.format(source), file=sys.stderr)
    try:  # all n sequences are built even to print 20 (the first 20 depend on n): refuse early
        check_memory(args.n, args.length or task.max_length, len(task.inputs) + len(task.outputs))
    except DataError as exc:
        raise DataError(f"{exc}; lower -n") from None
    dataset = make_dataset(task, n=args.n, seed=args.seed, length=args.length)
    if output is not None:
        try:
            save_dataset(dataset, output)
        except OSError as exc:
            raise UsageError(f"cannot write '{output}': {exc.strerror or exc}") from None
        if not args.quiet:
            x, y = dataset.x.shape, dataset.y.shape
            print(f"wrote {output}: x {x}, y {y}, lengths ({x[0]},)")
        return EXIT_OK
    print(format_examples(task, dataset, limit=args.n))
    return EXIT_OK


def cmd_train(args) -> int:
    from mipsdsl.train.options import SearchOptions
    from mipsdsl.train.search import train  # torch loads only for commands that need it

    task, _ = load_task(args.spec)
    _check_device(args.device)
    options = SearchOptions(seeds=args.seeds, budget=args.budget, device=args.device)
    trained = train(task, options, force=args.force, progress=not (args.quiet or args.json))
    summary = trained.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return EXIT_OK
    origin = "from cache" if trained.cached else f"in {trained.seconds:.1f} s"
    checked = (
        f"all {trained.confirmed_on:,} sequences of the examples file"
        if task.examples
        else f"{trained.confirmed_on:,} held-out and fresh sequences"
    )
    if trained.cached:  # what the search confirmed, and the recheck that let the cache serve it
        checked += f" when trained, rechecked on {trained.rechecked_on:,} when loaded"
    print(f"{task.name}: {trained.arch.describe()}")
    print(f"  seed {trained.seed}, {trained.steps} steps {origin}; exact on {checked}")
    for attempt in trained.attempts:
        f = "linear" if attempt["depth"] == 1 else f"d{attempt['depth']} w{attempt['widths']}"
        if attempt.get("pass") == "ruled out":
            print(
                f"  ruled out n in {attempt['hidden_sizes']}, f {f}: no linear network is exact "
                f"on the training data (a linear program, {attempt['seconds']} s)"
            )
            continue
        again = " (again, smaller)" if attempt.get("pass") == "smaller" else ""
        print(
            f"  tried n in {attempt['hidden_sizes']}, f {f}{again}: {attempt['steps']} steps, "
            f"{attempt['seconds']} s, best {attempt['best_accuracy']:.2%}"
            + (" -> solved" if attempt["solved"] else "")
        )
    return EXIT_OK


def cmd_compile(args) -> int:
    from mipsdsl.pipeline import CompileOptions

    if args.diff and not args.check:
        raise UsageError("--diff goes with --check")
    project = project_config()
    specs = args.specs or project.specs()
    _check_specs(specs)
    _check_device(args.device)
    output_dir = Path(args.output_dir or project.path("output-dir", "generated"))
    options = CompileOptions(
        output_dir=output_dir,
        seed=args.seed,
        device=args.device,
        budget=args.budget or project.number("budget", CompileOptions.budget),
        regress_seconds=args.regress_budget
        or project.number("regress-budget", CompileOptions.regress_seconds),
        force=args.force,
        regressor=args.regressor,
    )
    if args.check:
        return _check_modules(specs, options, args.json, args.diff)
    _make_directory(output_dir)
    _preflight(specs, options)
    verbose = not (args.quiet or args.json)
    finished = _compile_all(specs, options, args.jobs, verbose)
    results = sorted(finished, key=lambda result: specs.index(result["spec"]))
    for result in results:
        if result.get("error") and not args.json:
            print(result["error"], file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            if "error" not in result:
                print(_compiled_line(result))
        if len(results) > 1:
            failed = sum("error" in r for r in results)
            print(f"{len(results) - failed} of {len(results)} specs compiled")
    if args.report:
        _write_report(results, Path(args.report), options.budget, args.jobs, not args.json)
    return max((r["exit"] for r in results), default=EXIT_OK)


def _check_modules(specs: list[str], options, as_json: bool, diff: bool) -> int:
    """`--check`: whether each committed module is what compiling would write."""
    from mipsdsl.pipeline import check_module, module_diff

    report = []
    for spec in specs:
        changes = None
        try:
            checked = check_module(spec, options)
            problem, note = checked.problem, checked.note
        except SpecError as exc:
            _print_diagnostics(exc)
            problem, note = "the spec does not check", None
        else:
            if diff and problem:
                try:
                    changes = module_diff(spec, options)
                except MipsError as exc:  # compiling failed: the check's answer stands
                    note = f"no diff: {exc}"
        entry = {"spec": spec, "ok": problem is None, "problem": problem, "note": note}
        if diff:
            entry["diff"] = changes
        report.append(entry)
        if not as_json:
            print(f"ok  {spec}" if problem is None else f"FAIL {spec}: {problem}")
            if note:
                print(f"    note: {note}")
            if changes:
                print(changes)
    if as_json:
        print(json.dumps(report, indent=2))
    return EXIT_OK if all(r["ok"] for r in report) else EXIT_SPEC


def _write_report(results: list[dict], directory: Path, budget: float, jobs: int, say: bool):
    from mipsdsl import bench

    summary = bench.report(results, bench.paper_columns(DEV_CATALOGUE), budget, jobs)
    written = bench.write(summary, directory)
    if say:
        print(f"wrote {written[0]} and {written[1]}")


def cmd_bench(args) -> int:
    from mipsdsl import bench
    from mipsdsl.pipeline import CompileOptions

    catalogue = Path(args.paper) if args.paper else DEV_CATALOGUE
    if args.paper and not catalogue.is_file():
        raise UsageError(f"benchmark catalogue '{catalogue}' does not exist")
    if args.merge:
        return _merge_reports(args, catalogue)
    timeout = None if args.task_timeout is None else _timeout(args.task_timeout)
    if args.address and args.executor != "ray":
        raise UsageError("--address goes with --executor ray")
    specs = args.specs or sorted(str(p) for p in Path("specs").glob("*.mips"))
    if not specs:
        raise UsageError("no specs given, and no specs/*.mips here")
    _check_specs(specs)
    _check_stems(specs)
    _check_device(args.device)
    mine = _shard(specs, args.shard) if args.shard else specs
    report_dir = Path(args.report)
    _make_directory(report_dir)
    output_dir = Path(args.output_dir)
    options = CompileOptions(
        output_dir=output_dir, budget=args.budget, recompile=True, device=args.device
    )
    keys = {spec: bench.task_key(spec, options) for spec in specs}
    todo = [
        spec
        for spec in mine
        if args.force
        or not bench.finished(bench.load_task(bench.task_path(report_dir, spec)), keys[spec])
    ]
    if len(todo) < len(mine) and not args.quiet:
        print(
            f"bench: {len(mine) - len(todo)} of {len(mine)} tasks already have results in "
            f"{report_dir / 'tasks'}; skipped (--force reruns them)",
            file=sys.stderr,
        )
    _make_directory(output_dir)
    _preflight(todo, options)
    executor = _executor(args.executor, args.address, not args.quiet) if todo else None
    jobs = args.jobs or (executor.slots() if isinstance(executor, scaleout.RayTasks) else 1)
    started = time.perf_counter()
    finished = _compile_all(todo, options, jobs, not args.quiet, timeout, executor)
    with contextlib.closing(finished):
        for count, result in enumerate(finished, 1):
            spec = result["spec"]
            bench.save_task(report_dir, spec, keys[spec], args.budget, result)
            if not args.quiet:
                print(f"bench: [{count}/{len(todo)}] {_finished_line(result)}", file=sys.stderr)
    wall = time.perf_counter() - started
    records = {spec: bench.load_task(bench.task_path(report_dir, spec)) for spec in specs}
    current = {s: r for s, r in records.items() if r is not None and r["key"] == keys[s]}
    summary = bench.report(
        [record["result"] for record in current.values()],
        bench.paper_columns(catalogue),
        args.budget,
        jobs,
        wall_seconds=wall,
        missing=[Path(spec).stem for spec in specs if spec not in current],
    )
    return _write_bench(summary, report_dir)


def _merge_reports(args, catalogue: Path) -> int:
    """`--merge DIR...`: one report from the task files of several report directories (the
    outputs of shards); a task found in several is taken from the last directory given."""
    from mipsdsl import bench

    if args.specs or args.shard:
        raise UsageError("--merge builds a report from task files: give no specs or --shard")
    records: dict[str, dict] = {}
    for directory in map(Path, args.merge):
        if not directory.is_dir():
            raise UsageError(f"--merge: '{directory}' is not a directory")
        found = [bench.load_task(p) for p in sorted((directory / "tasks").glob("*.json"))]
        if not any(found):
            raise UsageError(f"--merge: '{directory}' has no task results (tasks/*.json)")
        records.update((Path(r["spec"]).stem, r) for r in found if r is not None)
    budgets = sorted({record["budget"] for record in records.values()})
    if len(budgets) > 1:
        shown = ", ".join(f"{b:g}" for b in budgets)
        raise UsageError(f"--merge: the task results were made with different budgets ({shown} s)")
    results = [records[name]["result"] for name in sorted(records)]
    summary = bench.report(results, bench.paper_columns(catalogue), budgets[0], jobs=None)
    return _write_bench(summary, Path(args.report))


def _write_bench(summary: dict, directory: Path) -> int:
    from mipsdsl import bench

    _make_directory(directory)
    json_path, md_path = bench.write(summary, directory)
    print(bench.markdown(summary))
    print(f"wrote {json_path} and {md_path}")
    return EXIT_OK


def _timeout(text: str) -> float:
    try:
        return float_in(1, 86_400, "--task-timeout")(text)
    except argparse.ArgumentTypeError as exc:
        raise UsageError(str(exc)) from None


def _shard(specs: list[str], text: str) -> list[str]:
    """`--shard I/N`: every N-th spec of the sorted list, from the I-th (I counts from 1), so
    that the N shards of one list are disjoint and cover it, whatever order the specs came in."""
    match = re.fullmatch(r"(\d+)/(\d+)", text)
    if not match:
        raise UsageError(f"--shard must be I/N, such as 1/4, not {text!r}")
    i, n = int(match[1]), int(match[2])
    if not 1 <= i <= n:
        raise UsageError(f"--shard {text}: I must lie in 1..N (shards are numbered from 1)")
    return sorted(specs)[i - 1 :: n]


def _check_stems(specs: list[str]) -> None:
    """Each spec's result goes to tasks/<its stem>.json: two specs may not share a stem."""
    seen: dict[str, str] = {}
    for spec in specs:
        stem = Path(spec).stem
        if stem in seen:
            raise UsageError(f"'{seen[stem]}' and '{spec}' would share the result file {stem}.json")
        seen[stem] = spec


def _executor(kind: str, address: str | None, verbose: bool) -> scaleout.Executor | None:
    """Where tasks run: None for local processes (chosen by `_compile_all`), else Ray tasks."""
    if kind == "local":
        return None
    try:
        return scaleout.RayTasks(_compile_one, address, verbose)
    except scaleout.RayUnavailable as exc:
        raise UsageError(str(exc)) from None


def _finished_line(result: dict) -> str:
    if "error" in result:
        return "failed: " + result["error"].splitlines()[0].removeprefix("mipsc: error: ")
    kind = "formula" if result["symbolic"] else "table"
    return f"ok: {result['task']} ({kind})"


# The benchmark catalogue beside a development checkout (../shared/benchmark/TASKS.md).
DEV_CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "benchmark" / "TASKS.md"


def _check_device(device: str) -> None:
    """Refuse `--device cuda` before anything runs where there is no CUDA (once, not per spec)."""
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: CUDA is not available on this machine")


def _check_specs(specs: list[str]) -> None:
    for spec in specs:
        if not Path(spec).is_file():
            what = "is a directory" if Path(spec).is_dir() else "does not exist"
            raise UsageError(f"spec '{spec}' {what}")


def _preflight(specs: list[str], options) -> None:
    """Refuse a run that is doomed, naming every reason, before anything trains."""
    from mipsdsl.pipeline import preflight

    problems = preflight(specs, options)
    if problems:
        raise UsageError("nothing compiled:\n  " + "\n  ".join(problems))


def _make_directory(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"'{directory}' is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create '{directory}': {exc.strerror or exc}") from None


def _compile_all(
    specs: list[str],
    options,
    jobs: int,
    verbose: bool,
    timeout: float | None = None,
    executor: scaleout.Executor | None = None,
) -> Generator[dict, None, None]:
    """Compile each spec and yield its result dict as it finishes.

    One spec at a time with no timeout runs in this process (training bars show). Otherwise each
    runs on `executor` (default: a process of its own, forked from a server that has imported
    the stages' modules once), `jobs` at once, so that a crash or a timeout costs only its own
    task, reported as a failure. On Ctrl-C or SIGTERM here every running task is stopped at
    once and unwinds, removing its temporary files."""
    if executor is None and timeout is None and min(jobs, len(specs)) == 1:
        for spec in specs:
            yield _compile_one(spec, options, verbose, bars=verbose)
        return
    from mipsdsl.pipeline import STAGE_MODULES

    calls = [(spec, (spec, options, verbose, False)) for spec in specs]
    executor = executor or scaleout.Processes(_compile_one, preload=STAGE_MODULES)
    tasks = scaleout.stream(executor, calls, jobs, timeout)
    with contextlib.closing(tasks):
        for spec, result in tasks:
            if isinstance(result, scaleout.Lost):
                error = f"mipsc: error: {spec}: {result.reason}"
                result = {"spec": spec, "exit": EXIT_SPEC, "stage": result.stage, "error": error}
            yield result


def _compile_one(spec: str, options, verbose: bool, bars: bool) -> dict:
    """Compile one spec; a dict either way, so that worker processes report like the main one."""
    from mipsdsl.pipeline import StageFailed, compile_spec

    log_to_stderr(verbose)
    try:
        compiled = compile_spec(spec, options, bars=bars)
    except SpecError as exc:
        text = "\n".join(d.format(exc.source) for d in exc.diagnostics)
        code = EXIT_USAGE if isinstance(exc, SpecFileError) else EXIT_SPEC
        return {"spec": spec, "exit": code, "error": text, "stage": "check"}
    except StageFailed as exc:
        return {
            "spec": spec,
            "task": exc.task,
            "exit": EXIT_SPEC,
            "stage": exc.stage,
            "error": f"mipsc: error: {exc}",
            **exc.progress,
        }
    except MipsError as exc:
        return {"spec": spec, "exit": EXIT_SPEC, "error": f"mipsc: error: {exc}"}
    return {"spec": spec, "exit": EXIT_OK, **compiled.to_json()}


class _StageLines(logging.Handler):
    """The handler `mipsc` installs: each message as a line on stderr (whatever sys.stderr is
    when it is logged)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr, flush=True)


def log_to_stderr(verbose: bool) -> None:
    """The CLI's view of the "mipsdsl" logger: its stage lines on stderr, or (quiet) only
    warnings. Called again in each worker process, where it replaces the handler it installed."""
    logger = logging.getLogger("mipsdsl")
    for handler in [h for h in logger.handlers if isinstance(h, _StageLines)]:
        logger.removeHandler(handler)
    logger.addHandler(_StageLines())
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def _compiled_line(result: dict) -> str:
    if result["up_to_date"]:
        return f"{result['path']}: up to date"
    kind = "formulas" if result["symbolic"] else "a state table"
    total = sum(result["seconds"].values())
    proved = result.get("proved")
    proof = f"proved for {proved}" if proved else "not proved"
    return (
        f"wrote {result['path']}: {kind} ({result['formula_nodes']} nodes) from "
        f"{result['method']}, read out of an RNN with {result['architecture']}; "
        f"verified; {proof}; {total:.1f} s"
    )


def cmd_verify(args) -> int:
    module_path = Path(args.module)
    if not module_path.is_file():
        what = "is a directory" if module_path.is_dir() else "does not exist"
        raise UsageError(f"module '{module_path}' {what}")
    task, _ = load_task(args.spec)
    options = VerifyOptions(
        held_out=args.n, longer=args.longer, exhaustive_limit=args.exhaustive_limit, seed=args.seed
    )
    verdict = verify_module(task, module_path, options, args.timeout)  # in a child process
    if args.json:
        report = {
            "spec": {"path": args.spec, "sha256": task.sha256},
            "module": str(module_path),
            "verdict": verdict.to_json(),
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"{task.name}: verifying {module_path}")
        print(verdict.report())
    return EXIT_OK if verdict.passed else EXIT_SPEC


def cmd_prove(args) -> int:
    from mipsdsl.program import program_from_task
    from mipsdsl.prove import EVERY_LENGTH, prove

    task, _ = load_task(args.spec)
    if task.examples is not None:
        raise UsageError(f"'{args.spec}' is given by examples: it has no target to prove against")
    candidate, _ = load_task(args.candidate, sample=0)  # no data is made from a candidate
    _check_interface(task, candidate, args.candidate)
    try:
        program = program_from_task(candidate)
    except ValueError as exc:
        raise UsageError(f"'{args.candidate}' is not a stateful spec: {exc}") from None
    length = args.length or max(task.max_length, PROVE_LENGTH)
    proof = prove(task, program, length=length, seconds=args.timeout)
    if args.json:
        report = {"spec": args.spec, "candidate": args.candidate, **proof.to_json()}
        if proof.counterexample is not None:
            report["counterexample"] = {
                "inputs": proof.counterexample.inputs,
                "spec": proof.expected,
                "candidate": proof.got,
            }
        print(json.dumps(report, indent=2))
    else:
        print(f"{task.name}: {args.candidate}: {proof.reason}")
        for relation in proof.invariant if proof.proved == EVERY_LENGTH else ():
            print(f"  invariant: {relation}")
        if proof.counterexample is not None:
            print(proof.table())
    return EXIT_OK if proof.proved == EVERY_LENGTH else EXIT_SPEC


def _check_interface(task, candidate, path: str) -> None:
    """The candidate must read the spec's inputs and give its outputs, by name."""
    for what, mine, theirs in (
        ("inputs", [c.name for c in candidate.inputs], [c.name for c in task.inputs]),
        ("outputs", [o.name for o in candidate.outputs], [o.name for o in task.outputs]),
    ):
        if mine != theirs:
            raise UsageError(
                f"'{path}' has {what} {', '.join(mine)}; the spec has {', '.join(theirs)}"
            )


# ---------------------------------------------------------------- project settings

CONFIG_KEYS = {
    "specs": list,
    "exclude": list,
    "output-dir": str,
    "budget": float,
    "regress-budget": float,
}


class ProjectConfig:
    """The `[tool.mipsc]` table of the nearest pyproject.toml (none: every default is mipsc's).
    Paths in it are relative to that file's directory; they are given relative to the working
    directory, so that a spec's recorded path is the same from the project's root either way."""

    def __init__(self, root: Path | None = None, table: dict | None = None):
        self.root, self.table = root, table or {}
        for key, value in self.table.items():
            kind = CONFIG_KEYS.get(key)
            if kind is None:
                raise UsageError(f"{self._where()}: unknown key '{key}'")
            ok = isinstance(value, kind) or (kind is float and type(value) is int)
            if kind is list:
                ok = ok and all(isinstance(v, str) for v in value)
            if not ok or (kind is float and not 1 <= value <= 86_400):
                raise UsageError(f"{self._where()}: '{key}' = {value!r} is not {_KINDS[kind]}")

    def _where(self) -> str:
        return f"{self.root / 'pyproject.toml' if self.root else 'pyproject.toml'} [tool.mipsc]"

    def specs(self) -> list[str]:
        if "specs" not in self.table or self.root is None:
            raise UsageError("no specs given, and no [tool.mipsc] specs in a pyproject.toml")
        found = _matching(self.root, self.table["specs"]) - _matching(
            self.root, self.table.get("exclude", [])
        )
        if not found:
            raise UsageError(f"{self._where()}: the specs {self.table['specs']} match no file")
        return sorted(found)

    def path(self, key: str, default: str) -> str:
        if key not in self.table or self.root is None:
            return default
        return os.path.relpath(self.root / self.table[key])

    def number(self, key: str, default: float) -> float:
        return float(self.table.get(key, default))


def _matching(root: Path, patterns: list[str]) -> set[str]:
    """The files the glob patterns match under root, relative to the working directory."""
    return {os.path.relpath(p) for pattern in patterns for p in glob.glob(str(root / pattern))}


_KINDS = {list: "a list of glob patterns", str: "a path", float: "a number of seconds in 1..86400"}


def project_config(start: Path | None = None) -> ProjectConfig:
    """The settings of the project around `start` (default: the working directory): from the
    first pyproject.toml found going up, if it has a [tool.mipsc] table."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                document = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read '{candidate}': {exc}") from None
            table = document.get("tool", {}).get("mipsc")
            if table is None:
                return ProjectConfig()
            if not isinstance(table, dict):
                raise UsageError(f"{candidate}: [tool.mipsc] must be a table")
            return ProjectConfig(directory, table)
    return ProjectConfig()


# ---------------------------------------------------------------- the cache, shell completion


def _use_cache_dir(directory: str | None) -> None:
    """`--cache-dir`: the training cache is where MIPSDSL_CACHE_DIR says, for this process and
    the workers it starts."""
    if directory is None:
        return
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--cache-dir '{directory}' is not a directory")
    os.environ["MIPSDSL_CACHE_DIR"] = str(path.resolve())


def cmd_cache(args) -> int:
    directory = cache_dir()
    if args.action == "path":
        print(directory)
        return EXIT_OK
    entries = sorted(directory.rglob("*.pt")) if directory.is_dir() else []
    size = 0
    for entry in entries:
        size += entry.stat().st_size
        entry.unlink()
    print(
        f"removed {len(entries)} cached network{'s' * (len(entries) != 1)} "
        f"({size / 1e6:.1f} MB) from {directory}"
    )
    return EXIT_OK


def cmd_completion(args) -> int:
    print(completion_script(build_parser(), args.shell))
    return EXIT_OK


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """A bash completion function for `mipsc`, made from the parser: the commands, then each
    command's options and choices, else file names. zsh runs it through bashcompinit."""
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    cases = []
    for name, sub in commands.choices.items():
        words = [o for a in sub._actions for o in a.option_strings]
        words += [str(c) for a in sub._actions if not a.option_strings for c in a.choices or ()]
        cases.append(f'        {name}) words="{" ".join(words)}" ;;')
    top = " ".join([*commands.choices, "--version", "--help"])
    script = "\n".join(
        [
            "_mipsc() {",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" words=""',
            "    if [[ $COMP_CWORD -eq 1 ]]; then",
            f'        COMPREPLY=($(compgen -W "{top}" -- "$cur"))',
            "        return",
            "    fi",
            '    case "${COMP_WORDS[1]}" in',
            *cases,
            "    esac",
            '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
            '    [[ $cur == -* ]] || COMPREPLY+=($(compgen -f -- "$cur"))',
            "}",
            "complete -o filenames -F _mipsc mipsc",
        ]
    )
    if shell == "zsh":
        script = "autoload -U +X bashcompinit && bashcompinit\n" + script
    return script


def format_examples(task, dataset, limit: int = 5) -> str:
    """A readable table: one block per sequence, one row per channel, one column per position."""
    rows = []
    names = [c.name for c in task.inputs] + [o.name for o in task.outputs]
    width = max(len(n) for n in names)
    cell = max(
        3,
        len(str(int(abs(dataset.x).max(initial=0)))) + 2,
        len(str(int(abs(dataset.y).max(initial=0)))) + 2,
    )
    shown = min(limit, len(dataset), 20)
    rows.append(f"{task.name}: {shown} of {len(dataset)} sequences")
    for i in range(shown):
        length = int(dataset.lengths[i])
        header = " " * (width + 6) + "".join(f"{t:>{cell}}" for t in range(length))
        rows.append(f"#{i}" + header[2:])
        for c, channel in enumerate(task.inputs):
            values = dataset.x[i, :length, c]
            if channel.symbols:
                text = "".join(f"{channel.symbols[v]:>{cell}}" for v in values)
            else:
                text = "".join(f"{v:>{cell}}" for v in values)
            rows.append(f"  in  {channel.name:<{width}}{text}")
        for o, out in enumerate(task.outputs):
            text = "".join(f"{v:>{cell}}" for v in dataset.y[i, :length, o])
            rows.append(f"  out {out.name:<{width}}{text}")
    return "\n".join(rows)


def entry() -> int:
    """The `mipsc` command: `main` with SIGTERM unwinding like Ctrl-C, ended with a mipsc parent."""
    lifeline.terminate_by_exception()
    lifeline.watch_parent_from_env()
    return main()


if __name__ == "__main__":
    sys.exit(entry())
