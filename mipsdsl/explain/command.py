"""The command line of `mipsc explain SPEC [-o DIR]`: its arguments and what it prints.

The training options are the compile's, with the same defaults, so that the network explained is
the cached one the compile trained; pass the same `--budget` and `--seed` as the compile did.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mipsdsl.arguments import float_in, int_in
from mipsdsl.errors import MipsError


def add_explain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="a .mips file")
    parser.add_argument(
        "-o",
        "--output-dir",
        default="explain",
        metavar="DIR",
        help="where <task>.md, .dot, .png (and .svg with Graphviz) go (default explain/)",
    )
    parser.add_argument(
        "--generated",
        default="generated",
        metavar="DIR",
        help="where the compiled module is, whose extraction is shown (default generated/)",
    )
    parser.add_argument(
        "--seed",
        type=int_in(0, 2**32 - 1, "--seed"),
        default=None,
        help="first training seed, as given to compile (default: the spec's seed)",
    )
    parser.add_argument(
        "--budget",
        type=float_in(1, 86_400, "--budget"),
        default=300.0,
        metavar="SECONDS",
        help="training time, as given to compile (default 300)",
    )
    parser.add_argument(
        "--regress-budget",
        type=float_in(0.1, 86_400, "--regress-budget"),
        default=60.0,
        metavar="SECONDS",
        help="formula search, as given to compile (default 60)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")


def cmd_explain(args: argparse.Namespace) -> int:
    """Explain one spec; raises SpecError or MipsError for the caller to report."""
    from mipsdsl.explain.explaining import explain
    from mipsdsl.pipeline import CompileOptions

    out = Path(args.output_dir)
    if out.exists() and not out.is_dir():
        raise MipsError(f"'{out}' is not a directory")
    options = CompileOptions(
        output_dir=Path(args.generated),
        seed=args.seed,
        budget=args.budget,
        regress_seconds=args.regress_budget,
    )
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr))
    done = explain(args.spec, out, options, say, bars=not args.quiet and sys.stderr.isatty())
    if not args.quiet:
        print(f"{done.task}: wrote {', '.join(str(p) for p in done.files.values())}")
    return 0
