"""Which pairs of operands an operator takes, and the blocks of pairs computed at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np

from mipsdsl import expr as E

# Between two operands of one size: "upper" takes i <= j, "strict" i < j, "apart" i != j
# (by candidate id); None, between sizes, takes every pair.
Pairing = Literal["upper", "strict", "apart"]


def binary_pairing(op: str, left_size: int, right_size: int) -> Pairing | None:
    """Same size: a commutative operator takes each unordered pair once; x + x and x * x are
    new values, but x op x is redundant for every other operator."""
    if left_size != right_size:
        return None
    if op in ("+", "*"):
        return "upper"
    return "strict" if E.OPERATORS[op].commutative else "apart"


def pair_mask(
    left_ids: np.ndarray, right_ids: np.ndarray, pairing: Pairing | None
) -> np.ndarray | None:
    """Which pairs of a block to keep (flattened row-major), or None for all."""
    if pairing is None:
        return None
    compare = {"upper": np.less_equal, "strict": np.less, "apart": np.not_equal}[pairing]
    return compare(left_ids[:, None], right_ids[None, :]).reshape(-1)


def blocks(
    left_ids: np.ndarray, right_ids: np.ndarray, width: int, pairing: Pairing | None, chunk: int
) -> Iterator[tuple[int, int, int, int]]:
    """Blocks (i0, i1, j0, j1) covering the pairs in row-major order, each about `chunk`
    elements (`width` per pair); a triangular pairing skips the half it excludes."""
    cap = max(1, chunk // width)
    left, right = len(left_ids), len(right_ids)
    i = 0
    while i < left:
        j0 = 0
        if pairing in ("upper", "strict"):
            side: Literal["left", "right"] = "left" if pairing == "upper" else "right"
            j0 = int(np.searchsorted(right_ids, left_ids[i], side=side))
        span = right - j0
        if span <= 0:
            return  # triangular: later rows start later still
        if span > cap:
            for j in range(j0, right, cap):
                yield i, i + 1, j, min(j + cap, right)
            i += 1
            continue
        i1 = min(left, i + max(1, cap // span))
        yield i, i1, j0, right
        i = i1
