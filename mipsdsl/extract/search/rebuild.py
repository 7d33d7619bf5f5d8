"""The winners' `Expr` trees, rebuilt from the candidates' back-pointers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.search.candidates import CandidateStore
from mipsdsl.extract.search.grammar import OPS


def rebuild(
    store: CandidateStore, leaves: Sequence[E.Expr], found: Sequence[int | None]
) -> tuple[E.Expr | None, ...]:
    """The expression of each candidate id in `found` (None stays None)."""
    if not store.ops:
        return tuple(None for _ in found)
    ops = np.concatenate(store.ops)
    children = np.concatenate(store.children)
    built: dict[int, E.Expr] = {}

    def build(index: int) -> E.Expr:
        if index in built:
            return built[index]
        op = OPS[ops[index]]
        kids = children[index]
        e: E.Expr
        if op == "leaf":
            e = leaves[kids[0]]
        elif op in E.UNARY_OPS:
            e = E.Unary(op, build(kids[0]))
        elif op == "cond":
            e = E.Cond(build(kids[0]), build(kids[1]), build(kids[2]))
        else:
            e = _binary_node(op, build(kids[0]), build(kids[1]))
        built[index] = e
        return e

    return tuple(None if index is None else build(index) for index in found)


def _binary_node(op: str, left: E.Expr, right: E.Expr) -> E.Binary:
    """The node, written with a lone constant on the right (`x + 1`, `x > 0`) when that is
    the same value."""
    flipped = E.OPERATORS[op].flipped
    if isinstance(left, E.Const) and not isinstance(right, E.Const) and flipped is not None:
        return E.Binary(flipped, right, left)
    return E.Binary(op, left, right)
