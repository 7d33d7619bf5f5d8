"""Extraction: from a trained network to formulas over integer state variables.

The paths (`mipsdsl.extract.paths`) share one interface: `extract(ctx) -> Extraction`, where the
context (`mipsdsl.extract.context.Context`) holds the network, the input domain, the traces and
the regression budget, and never the spec's target. This module holds what every path uses.
"""

from __future__ import annotations

from mipsdsl.errors import MipsError


class ExtractionError(MipsError):
    """The network's behaviour could not be turned into a program on this path."""


def fresh(base: str, taken: set[str]) -> str:
    """`base`, or `base_2`, `base_3`...: the first not in `taken` (which it joins)."""
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name
