"""The linear-recurrence path: a linear network's outputs as an integer recurrence over its past
outputs and inputs (`mipsdsl.extract.recurrence`), for linear networks whose states are only
close to a lattice."""

from __future__ import annotations

from mipsdsl.extract import mechanisms
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.recurrence import linear_recurrence

NAME = "linear recurrence"
MECHANISM = "linear-recurrence"


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    formulas, details = linear_recurrence(ctx.network, ctx.inputs, ctx.outputs, ctx.fit)
    return Extraction(
        NAME,
        formulas,
        True,
        f"an order-{details['order']} integer linear recurrence of the outputs of a linear network",
        "integer linear",
        details,
    )
