"""The finite-state-machine path: for parity, mod-k counters, carries, bounded registers.

Hidden states are clustered into the coarsest machine that reproduces the network on the check
trace (`mipsdsl.extract.fsm`); its states are labelled and its tables regressed
(`mipsdsl.extract.labelling`).
"""

from __future__ import annotations

from mipsdsl.extract import ExtractionError, mechanisms
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.fsm import Discretized, discretize
from mipsdsl.extract.labelling import formulas_for

NAME = "finite-state machine"
MECHANISM = "finite-state"


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    return from_machine(ctx, discretized(ctx))


def discretized(ctx: Context) -> Discretized:
    """The network as a machine, made once per extraction (explain reads it again); a failure
    is kept as well, so that it is not repeated."""
    if "discretized" not in ctx.memo:
        try:
            ctx.memo["discretized"] = discretize(ctx.network, ctx.alphabets, ctx.fit, ctx.check)
        except ExtractionError as exc:
            ctx.memo["discretized"] = exc
            raise
    found = ctx.memo["discretized"]
    if isinstance(found, ExtractionError):
        raise found
    return found


def from_machine(ctx: Context, found: Discretized) -> Extraction:
    """Formulas for the coarsest machine of `found`."""
    machine = found.machine
    length = int(ctx.fit.lengths.max())  # the longest input the network was traced on
    labelled = formulas_for(machine, ctx.inputs, ctx.outputs, *ctx.regression.budget(), length)
    if found.horizon is not None:
        mechanisms.use("coarsest-machine")
    method = f"a {machine.states}-state machine"
    if machine.states > 1:
        method += f", states labelled by {labelled.method}"
    regression = "enumerative" if labelled.symbolic else "none (decision-tree table)"
    return Extraction(
        NAME,
        labelled.formulas,
        labelled.symbolic,
        method,
        regression,
        {
            **found.to_json(),
            "labellings_tried": list(labelled.tried),
        },
    )
