"""The symbol-counts path: an order-invariant network's outputs regressed on how often each
symbol came (`mipsdsl.extract.counts`), for unbounded counters such as a majority vote."""

from __future__ import annotations

from mipsdsl.extract import mechanisms
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.counts import symbol_counts
from mipsdsl.extract.tables import regress_table

NAME = "symbol counts"
MECHANISM = "symbol-counts"


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    linear = []

    def solve(columns, targets):
        found, found_linear = regress_table(columns, targets, *ctx.regression.budget())
        linear.extend(found_linear)
        return found

    formulas, details = symbol_counts(ctx.alphabets, ctx.inputs, ctx.outputs, ctx.fit, solve)
    return Extraction(
        NAME,
        formulas,
        True,
        f"counts of the {details['symbols']} input symbols (an order-invariant network)",
        "integer linear" if all(linear) else "integer linear and enumerative",
        details,
    )
