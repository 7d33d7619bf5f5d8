"""The extraction paths and the order they are tried in.

Each path is a module with a `NAME` and one entry point, `extract(ctx) -> Extraction`, raising
`ExtractionError` when the network does not read that way. Its `MECHANISM` is its name among the
mechanisms that can be switched off (`mipsdsl.extract.mechanisms`). A new path is a new module
here and a line in `ORDER`.

The order depends on the network's output head. A regressed output is a number, so the integer
paths come first (the lattice, then the linear recurrence of a linear network), then the
machine; a classified output comes from few values, so the machine comes first, then the
lattice. The symbol counts follow (unbounded counters of an order-invariant network), and last
the recent inputs (a shift register over an alphabet too large for a machine).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from mipsdsl.extract.context import Context
from mipsdsl.extract.paths import (
    finite_state,
    integer_lattice,
    linear_recurrence,
    recent_inputs,
    symbol_counts,
)

ORDER: dict[str, tuple[ModuleType, ...]] = {
    "regress": (
        integer_lattice,
        linear_recurrence,
        finite_state,
        symbol_counts,
        recent_inputs,
    ),
    "classify": (finite_state, integer_lattice, symbol_counts, recent_inputs),
}


def in_order(ctx: Context) -> Iterator[ModuleType]:
    """The paths for this network's output head that are not switched off, in order."""
    for path in ORDER[ctx.output_head]:
        if path.MECHANISM not in ctx.without:
            yield path
