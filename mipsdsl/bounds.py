"""Interval analysis over the expression IR: a sound [lo, hi] for every value an expression can take.

The checker uses it to bound every output (training picks a classification head when the range is
small) and to bound state variables by unrolling the step over the longest sequence.
Bounds are Python ints, so they never overflow.
"""

from __future__ import annotations

from typing import Mapping

from mipsdsl import expr as E

Interval = tuple[int, int]
BOOL: Interval = (0, 1)


def _hull(*intervals: Interval) -> Interval:
    return min(i[0] for i in intervals), max(i[1] for i in intervals)


def _floordiv(a: Interval, b: Interval) -> Interval:
    """Floor division is monotone in each argument on either side of zero, so corners suffice."""
    sides = []
    if b[1] >= 1:
        sides.append((max(b[0], 1), b[1]))
    if b[0] <= -1:
        sides.append((b[0], min(b[1], -1)))
    if not sides:  # divisor is always zero: every value is undefined
        return (0, 0)
    corners = [x // y for lo, hi in sides for x in a for y in (lo, hi)]
    return min(corners), max(corners)


def _mod(a: Interval, b: Interval) -> Interval:
    """Python's modulo takes the divisor's sign and is no larger in size than the dividend."""
    lo, hi = 0, 0
    if b[1] >= 1:
        hi = b[1] - 1 if a[0] < 0 else min(b[1] - 1, a[1])
    if b[0] <= -1:
        lo = b[0] + 1 if a[1] > 0 else max(b[0] + 1, a[0])
    return lo, hi


def interval(e: E.Expr, env: Mapping[str, Interval], length: int) -> Interval:
    """Bounds of `e` when variables lie in `env` and positions run over 0..length-1."""
    if isinstance(e, E.Const):
        return e.value, e.value
    if isinstance(e, E.Var):
        return env[e.name]
    if isinstance(e, E.Position):
        return 0, max(0, length - 1)
    if isinstance(e, E.Unary):
        lo, hi = interval(e.arg, env, length)
        if e.op == "neg":
            return -hi, -lo
        if e.op == "not":
            return BOOL
        if lo >= 0:
            return lo, hi
        if hi <= 0:
            return -hi, -lo
        return 0, max(-lo, hi)
    if isinstance(e, E.Binary):
        a = interval(e.left, env, length)
        b = interval(e.right, env, length)
        if e.op in E.COMPARISON_OPS or e.op in E.LOGIC_OPS:
            return BOOL
        if e.op == "+":
            return a[0] + b[0], a[1] + b[1]
        if e.op == "-":
            return a[0] - b[1], a[1] - b[0]
        if e.op == "*":
            corners = [x * y for x in a for y in b]
            return min(corners), max(corners)
        if e.op == "//":
            return _floordiv(a, b)
        if e.op == "%":
            return _mod(a, b)
        if e.op == "min":
            return min(a[0], b[0]), min(a[1], b[1])
        return max(a[0], b[0]), max(a[1], b[1])
    if isinstance(e, E.Cond):
        return _hull(interval(e.then, env, length), interval(e.orelse, env, length))
    if isinstance(e, E.Shift):
        return _hull(interval(e.arg, env, length), (e.pad, e.pad))
    if isinstance(e, E.Aggregate):
        if e.kind in ("all", "any", "palindrome"):
            return BOOL
        terms = max(1, min(length, e.window or length))
        if e.kind == "count":
            return 0, terms
        lo, hi = interval(e.arg, env, length)
        if e.kind == "sum":
            return min(lo, terms * lo), max(hi, terms * hi)
        return lo, hi
    raise TypeError(f"not an expression node: {e!r}")
