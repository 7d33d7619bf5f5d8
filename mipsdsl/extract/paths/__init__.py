"""The extraction paths and the order they are tried in.

Each path is a module with a `NAME` and one entry point, `extract(ctx) -> Extraction`, raising
`ExtractionError` when the network does not read that way; a path that only sometimes makes
sense also has `applies(ctx)`, asked when its turn comes. Its `MECHANISM` is its name among the
mechanisms that can be switched off (`mipsdsl.extract.mechanisms`). A new path is a new module
here and a line in `ORDER`.

The order depends on the network's output head. A regressed output is a number, so the integer
paths come first (the lattice, then the linear recurrence of a linear network), then the
machine; a classified output comes from few values, so the machine comes first, then the
lattice. The symbol counts follow (unbounded counters of an order-invariant network), and last
the exact minimal machine, where the coarsest machine was a different one, and the recent inputs
(a shift register over an alphabet too large for a machine).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from mipsdsl.extract.context import Context
from mipsdsl.extract.paths import (
    exact_machine,
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
        exact_machine,
        recent_inputs,
    ),
    "classify": (finite_state, integer_lattice, symbol_counts, exact_machine, recent_inputs),
}


def in_order(ctx: Context) -> Iterator[ModuleType]:
    """The paths worth trying for this network and not switched off, each decided when its turn
    comes (a path may apply only after an earlier one ran)."""
    for path in ORDER[ctx.output_head]:
        if path.MECHANISM not in ctx.without and getattr(path, "applies", lambda _: True)(ctx):
            yield path
