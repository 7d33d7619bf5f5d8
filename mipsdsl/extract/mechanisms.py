"""The extraction's mechanisms by name: each can be switched off, and each result says which it
used, so that an ablation (`benchmarks/ablate.py`) can show which tasks need which.

A mechanism is consulted with `on(name)` where it would run and recorded with `use(name)` where
its work ends up in a result. Both read the extraction under way, set up once per path by
`extraction_path` (from `Context.without`): the switches reach the regression functions deep in
the labellings without a parameter on each, and a candidate that loses leaves no record
(`recording`, `kept`). Outside an extraction (tests, the prover's own regressions) every
mechanism is on and nothing is recorded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from mipsdsl.errors import MipsError

if TYPE_CHECKING:
    from mipsdsl.extract.context import Context, Extraction

T = TypeVar("T")


@dataclass(frozen=True)
class Mechanism:
    description: str
    where: str  # where it is consulted


MECHANISMS: dict[str, Mechanism] = {
    # the paths, in `paths.ORDER`
    "finite-state": Mechanism("the finite-state-machine path", "paths/finite_state.py"),
    "integer-lattice": Mechanism("the integer-lattice path", "paths/integer_lattice.py"),
    "linear-recurrence": Mechanism("the linear-recurrence path", "paths/linear_recurrence.py"),
    "symbol-counts": Mechanism("the symbol-counts path", "paths/symbol_counts.py"),
    "recent-inputs": Mechanism("the recent-inputs path", "paths/recent_inputs.py"),
    # reading a machine
    "coarsest-machine": Mechanism(
        "the coarsest quotient machine that reproduces the check trace (off: the exact minimal "
        "machine)",
        "fsm.discretize",
    ),
    "log-cells": Mechanism(
        "grids on a symmetric-log scale of the hidden units, where a few states run off",
        "fsm.discretize",
    ),
    # labelling a machine's states
    "entry-labels": Mechanism(
        "states labelled by an output's value on entering them", "labelling._candidates"
    ),
    "breadth-first-labels": Mechanism(
        "states labelled by breadth-first numbers", "labelling._candidates"
    ),
    "permuted-labels": Mechanism(
        "every numbering of a machine of at most 4 states", "labelling._candidates"
    ),
    "register-labels": Mechanism(
        "the last k inputs of the machine as state variables", "labelling._candidates"
    ),
    "counter-labels": Mechanism(
        "a counter that each input symbol moves by a fixed step (with its continuation)",
        "labelling._candidates",
    ),
    "counter-continuation": Mechanism(
        "counter formulas left open past the latest-reached states, kept when they agree with "
        "the machine up to the trained length",
        "labelling._counter_candidates",
    ),
    "position-labels": Mechanism(
        "the position beside an output's entry value, where the two tell the states apart",
        "labelling._candidates",
    ),
    "side-by-side": Mechanism(
        "two variables side by side (a product of two smaller machines)", "labelling._candidates"
    ),
    "state-table": Mechanism(
        "the machine itself as a decision-tree table when no labelling gives formulas (off: the "
        "machine paths fail instead)",
        "labelling.formulas_for",
    ),
    # counting symbols
    "joint-symbols": Mechanism(
        "counts of the tuples of every channel's value, where per-channel counts fail",
        "counts.symbol_counts",
    ),
    # registers of past inputs
    "register-start-below": Mechanism(
        "registers holding one below the alphabet before the start, not only 0",
        "labelling._register_starts, paths/recent_inputs._starts",
    ),
    # the lattice
    "lattice-probes": Mechanism(
        "lattice vectors read off the network by probing it",
        "paths/integer_lattice._lattice_coordinates",
    ),
    # the recent inputs
    "running-totals": Mechanism(
        "each output as a running total of increments over the recent inputs",
        "paths/recent_inputs.extract",
    ),
    "position-phase": Mechanism(
        "running totals whose increments read the position modulo 2 to 4",
        "paths/recent_inputs.extract",
    ),
    "split-start": Mechanism(
        "the first positions regressed apart from the rest, joined by a test of the oldest "
        "register",
        "paths/recent_inputs._formulas",
    ),
    # the regression
    "integer-linear": Mechanism(
        "integer-linear least squares before the enumerative search (the lattice, symbol-counts "
        "and recent-inputs tables; the linear recurrence is that fit, switched off as its path)",
        "tables.regress_table",
    ),
    "linear-threshold": Mechanism(
        "a 0/1 output as a comparison of integer-weighted sums, where no formula is enumerated",
        "tables.regress_table",
    ),
    "decision-lists": Mechanism(
        "a few-valued output as a decision list of enumerated conditions",
        "tables.regress_table",
    ),
    "decision-sample": Mechanism(
        "decision-list conditions searched from 64 rows rather than the usual sample",
        "decisions.decision_list",
    ),
    "membership": Mechanism(
        "a 0/1 target over one column as a membership test `x in (...)`",
        "membership.with_membership",
    ),
    "growing-sample": Mechanism(
        "the enumerative search on a growing sample of a wide table's rows",
        "sampling.on_growing_sample",
    ),
    "modulus-constant": Mechanism(
        "one past the largest output, label or target offered as a constant (a modulus)",
        "labelling._constants, tables._constants",
    ),
}


class UnknownMechanism(MipsError):
    """A mechanism name that is not in MECHANISMS."""


def checked(names: Iterable[str]) -> frozenset[str]:
    """The names as a set; UnknownMechanism, listing the known ones, when one is not a
    mechanism."""
    names = frozenset(names)
    unknown = sorted(names - MECHANISMS.keys())
    if unknown:
        raise UnknownMechanism(
            f"unknown extraction mechanism{'s' * (len(unknown) > 1)} {', '.join(unknown)} "
            f"(known: {', '.join(MECHANISMS)})"
        )
    return names


_off: ContextVar[frozenset[str]] = ContextVar("mipsdsl_mechanisms_off", default=frozenset())
_used: ContextVar[set[str] | None] = ContextVar("mipsdsl_mechanisms_used", default=None)


def on(name: str) -> bool:
    """Whether mechanism `name` may run in the extraction under way; KeyError for a name not
    registered (a slip in the code, not the user's)."""
    if name not in MECHANISMS:
        raise KeyError(name)
    return name not in _off.get()


def use(*names: str) -> None:
    """Record that the result being made rests on these mechanisms."""
    used = _used.get()
    if used is not None:
        used.update(names)


@contextmanager
def recording() -> Iterator[set[str]]:
    """The mechanisms used inside the block, apart from the enclosing record: the caller passes
    them on (`use(*record)`) only for a candidate it keeps."""
    used: set[str] = set()
    token = _used.set(used)
    try:
        yield used
    finally:
        _used.reset(token)


def kept(attempt: Callable[[], T | None]) -> T | None:
    """`attempt()`, whose mechanisms are recorded only when it gives something."""
    with recording() as used:
        result = attempt()
    if result is not None:
        use(*used)
    return result


@contextmanager
def switched_off(names: frozenset[str]) -> Iterator[None]:
    token = _off.set(names)
    try:
        yield
    finally:
        _off.reset(token)


def extraction_path(name: str):
    """Decorates a path's `extract(ctx)`: run with `ctx.without` switched off, and return the
    Extraction with the mechanisms it used, the path's own `name` first."""

    def decorate(extract: Callable[[Context], Extraction]) -> Callable[[Context], Extraction]:
        @functools.wraps(extract)
        def run(ctx: Context) -> Extraction:
            with switched_off(ctx.without), recording() as used:
                extraction = extract(ctx)
            return replace(extraction, mechanisms=(name, *sorted(used - {name})))

        return run

    return decorate
