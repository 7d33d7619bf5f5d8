"""The exact-minimal-machine path: the last resort of the two machine paths.

The finite-state path reads the coarsest quotient of the network's machine that passes the check
trace; when that quotient is not the exact minimal machine and nothing else worked, the exact
minimal machine is tried (more states, but the same behaviour on every traced prefix).
"""

from __future__ import annotations

from mipsdsl.extract import ExtractionError, mechanisms
from mipsdsl.extract.context import Context, Extraction
from mipsdsl.extract.paths import finite_state

NAME = "finite-state machine, exact minimisation"
MECHANISM = "exact-machine"


def applies(ctx: Context) -> bool:
    """Only when the finite-state path made a machine, and a coarser one than the exact one."""
    found = ctx.memo.get("discretized")
    return (
        found is not None and not isinstance(found, ExtractionError) and found.horizon is not None
    )


@mechanisms.extraction_path(MECHANISM)
def extract(ctx: Context) -> Extraction:
    return finite_state.from_machine(ctx, finite_state.discretized(ctx), exact=True)
