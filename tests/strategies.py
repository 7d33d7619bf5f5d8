"""Hypothesis strategies shared by the property tests: random trees of the expression IR."""

from __future__ import annotations

from hypothesis import strategies as st

from mipsdsl import expr as E

NAMES = ("x", "y")
# Hypothesis favours the first of a list of choices, so the intricate ones come first.
NODE_KINDS = ("aggregate", "binary", "cond", "shift", "unary", "leaf")
BINARY_OPS = ("//", "%", "xor", "min", "max", "*", "-", "and", "or") + E.COMPARISON_OPS + ("+",)
AGGREGATE_KINDS = ("mode", "palindrome", "min", "max", "all", "any", "count", "sum")
assert sorted(BINARY_OPS) == sorted(E.ARITHMETIC_OPS + E.COMPARISON_OPS + E.LOGIC_OPS)


@st.composite
def expressions(draw, depth=3, constants=(-4, 4), shifts=(1, 4), pads=(-3, 3), windows=(1, 5)):
    """A random IR tree over variables `NAMES` with at most `depth` levels of inner nodes."""
    kind = "leaf" if depth == 0 else draw(st.sampled_from(NODE_KINDS))
    if kind == "leaf":
        leaf = draw(st.sampled_from(("var", "const", "position")))
        if leaf == "const":
            return E.Const(draw(st.integers(*constants)))
        if leaf == "var":
            return E.Var(draw(st.sampled_from(NAMES)))
        return E.Position()
    sub = expressions(depth - 1, constants, shifts, pads, windows)
    if kind == "unary":
        return E.Unary(draw(st.sampled_from(E.UNARY_OPS)), draw(sub))
    if kind == "binary":
        return E.Binary(draw(st.sampled_from(BINARY_OPS)), draw(sub), draw(sub))
    if kind == "cond":
        return E.Cond(draw(sub), draw(sub), draw(sub))
    if kind == "shift":
        return E.Shift(draw(sub), draw(st.integers(*shifts)), draw(st.integers(*pads)))
    aggregate = draw(st.sampled_from(AGGREGATE_KINDS))
    window = draw(st.one_of(st.none(), st.integers(*windows)))
    ties = draw(st.sampled_from(["smallest", "largest"]))
    return E.Aggregate(aggregate, draw(sub), window, ties)
