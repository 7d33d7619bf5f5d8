"""Which extraction explain shows: the one the compiled module was read by, when there is one.

A module that `mipsc compile --check` finds up to date records its extraction path, so explain
runs that path alone and shows what the module holds. Without one, explain does what compile
does minus the judging against the spec: the paths in their order, keeping the first whose
program reproduces the network on the independent check trace (a symbolic one over a table).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mipsdsl import expr as E
from mipsdsl.errors import MipsError
from mipsdsl.extract import ExtractionError, paths
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.fsm import StateMachine
from mipsdsl.extract.paths import finite_state
from mipsdsl.program import Program


@dataclass(frozen=True, eq=False)
class Chosen:
    extraction: Extraction
    program: Program
    machine: StateMachine | None  # the state machine the machine paths read, else None
    why: str  # how it was chosen, for the summary


def choose(ctx: Context, recorded: str | None, module: Path | None) -> Chosen:
    """The extraction of path `recorded` (read from `module`), else the first that reproduces
    the network; MipsError when no path reads the network."""
    by_name = {path.NAME: path for order in paths.ORDER.values() for path in order}
    if recorded is not None and recorded in by_name:
        extraction = by_name[recorded].extract(ctx)
        why = f"the path the compiled module `{module}` was read by"
        return Chosen(extraction, assemble(extraction.formulas), _machine(ctx, extraction), why)
    found, reasons = None, []
    for path in paths.in_order(ctx):
        try:
            extraction = path.extract(ctx)
        except ExtractionError as exc:
            reasons.append(f"{path.NAME}: {exc}")
            continue
        program = assemble(extraction.formulas)
        mismatch = _mismatch(program, ctx)
        if mismatch is not None:
            reasons.append(f"{path.NAME}: {mismatch}")
            continue
        if found is None or (extraction.symbolic and not found[0].symbolic):
            found = (extraction, program)
        if extraction.symbolic:
            break
    if found is None:
        raise MipsError("no extraction path reads this network:\n  " + "\n  ".join(reasons))
    sequences = len(ctx.check.x)
    why = (
        f"the first path whose program reproduces the network on {sequences:,} traced "
        "sequences (no compiled module is up to date: `mipsc compile` also verifies and proves it)"
    )
    return Chosen(found[0], found[1], _machine(ctx, found[0]), why)


def _mismatch(program: Program, ctx: Context) -> str | None:
    """Why the program is not the network on the check trace, or None when it is."""
    check = ctx.check
    try:
        outputs = program.run(check.x, check.lengths)
    except (MipsError, E.EvaluationError) as exc:
        return f"its program cannot run on the traced inputs: {exc}"
    wrong = (np.asarray(outputs) != check.outputs)[check.valid].any(axis=-1)
    if wrong.any():
        return f"its program differs from the network at {int(wrong.sum()):,} traced positions"
    return None


def _machine(ctx: Context, extraction: Extraction) -> StateMachine | None:
    if extraction.path != finite_state.NAME:
        return None
    return finite_state.discretized(ctx).machine
