"""The symbol-counts path: an order-invariant network's outputs regressed on how often each
symbol came (`mipsdsl.extract.counts`), for unbounded counters such as a majority vote."""

from __future__ import annotations

from mipsdsl.extract import mechanisms
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.counts import symbol_counts
from mipsdsl.extract.tables import regress_table, regression_label

NAME = "symbol counts"
MECHANISM = "symbol-counts"


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    kinds: list[str | None] = []

    def solve(columns, targets):
        found, found_kinds = regress_table(columns, targets, *ctx.regression.budget())
        kinds[:] = found_kinds  # of the symbols the result is counted over
        return found

    formulas, details = symbol_counts(ctx.alphabets, ctx.inputs, ctx.outputs, ctx.fit, solve)
    return Extraction(
        NAME,
        formulas,
        True,
        f"counts of the {details['symbols']} {'joint ' * details.get('joint', False)}input "
        "symbols (an order-invariant network)",
        regression_label(kinds),
        details,
    )
