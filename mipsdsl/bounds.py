"""Interval analysis over the expression IR: a sound [lo, hi] for every value an expression can
take.

The checker uses it to bound every output (training picks a classification head when the range is
small) and to bound state variables by unrolling the step over the longest sequence; evaluation
uses it to decide where int64 is exact and where Python ints are needed (`fits_int64`).
Bounds are Python ints, so they never overflow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import overload

from mipsdsl import expr as E
from mipsdsl.errors import DataError

Interval = tuple[int, int]
BOOL: Interval = (0, 1)
INT64: Interval = (-(2**63), 2**63 - 1)
MAX_BITS = 1 << 20  # bounds wider than this grow too fast to compute (s = s * s doubles the bits)


class TooLarge(DataError):
    """The bound of the value `name` is wider than `MAX_BITS` within `length` positions."""

    def __init__(self, name: str, length: int):
        super().__init__(
            f"'{name}' may grow beyond {MAX_BITS} bits within {length} positions, too large to "
            "compute exactly"
        )
        self.name = name


def within_bits(name: str, bound: Interval, length: int) -> Interval:
    """`bound` itself, or `TooLarge` naming the value when it is wider than `MAX_BITS`."""
    if max(abs(bound[0]), abs(bound[1])).bit_length() > MAX_BITS:
        raise TooLarge(name, length)
    return bound


@overload
def hull(a: Interval, b: Interval) -> Interval: ...
@overload
def hull(a: Interval | None, b: Interval | None) -> Interval | None: ...
def hull(a, b):
    """The smallest interval holding `a` and `b`; None (unbounded) if either is."""
    if a is None or b is None:
        return None
    return min(a[0], b[0]), max(a[1], b[1])


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


def _abs(a: Interval) -> Interval:
    lo, hi = a
    if lo >= 0:
        return lo, hi
    if hi <= 0:
        return -hi, -lo
    return 0, max(-lo, hi)


def _times(a: Interval, b: Interval) -> Interval:
    corners = [x * y for x in a for y in b]
    return min(corners), max(corners)


def _truth(*_: Interval) -> Interval:
    return BOOL


# The interval rule of each operator in `mipsdsl.expr.OPERATORS`: its operands' bounds to its own.
RULES: dict[str, Callable[..., Interval]] = {
    "neg": lambda a: (-a[1], -a[0]),
    "abs": _abs,
    "+": lambda a, b: (a[0] + b[0], a[1] + b[1]),
    "-": lambda a, b: (a[0] - b[1], a[1] - b[0]),
    "*": _times,
    "//": _floordiv,
    "%": _mod,
    "min": lambda a, b: (min(a[0], b[0]), min(a[1], b[1])),
    "max": lambda a, b: (max(a[0], b[0]), max(a[1], b[1])),
    **{name: _truth for name, operator in E.OPERATORS.items() if operator.truth_valued},
}


def interval(e: E.Expr, env: Mapping[str, Interval], length: int) -> Interval:
    """Bounds of `e` when variables lie in `env` and positions run over 0..length-1."""
    return _interval(e, env, length, None)


def fits_int64(e: E.Expr, env: Mapping[str, Interval], length: int) -> bool:
    """True when every node of `e`, not just its result, stays within int64: then int64
    evaluation is exact."""
    nodes: list[Interval] = []
    _interval(e, env, length, nodes)
    return all(in_int64(node) for node in nodes)


def in_int64(bound: Interval) -> bool:
    return INT64[0] <= bound[0] and bound[1] <= INT64[1]


def _interval(e, env, length, nodes: list[Interval] | None) -> Interval:
    """`interval`, also appending every node's bounds to `nodes` when it is a list."""
    found = _node(e, env, length, nodes)
    if nodes is not None:
        nodes.append(found)
    return found


def _node(e, env, length, nodes) -> Interval:
    if isinstance(e, E.Const):
        return e.value, e.value
    if isinstance(e, E.Var):
        return env[e.name]
    if isinstance(e, E.Position):
        return 0, max(0, length - 1)
    if isinstance(e, E.Unary):
        return RULES[e.op](_interval(e.arg, env, length, nodes))
    if isinstance(e, E.Binary):
        a = _interval(e.left, env, length, nodes)
        return RULES[e.op](a, _interval(e.right, env, length, nodes))
    if isinstance(e, E.Cond):
        if nodes is not None:  # the test is evaluated too, though its bounds do not matter here
            _interval(e.test, env, length, nodes)
        return hull(_interval(e.then, env, length, nodes), _interval(e.orelse, env, length, nodes))
    if isinstance(e, E.Shift):
        return hull(_interval(e.arg, env, length, nodes), (e.pad, e.pad))
    if isinstance(e, E.Aggregate):
        found = _fold(e, _interval(e.arg, env, length, nodes), length)
        return hull(found, (0, 0)) if e.full else found
    if isinstance(e, E.Matches | E.Member):
        _interval(e.arg, env, length, nodes)
        return BOOL
    raise TypeError(f"not an expression node: {e!r}")


def _fold(e: E.Aggregate, arg: Interval, length: int) -> Interval:
    """Bounds of the aggregate `e` of a value within `arg`, over windows of at most `terms`."""
    lo, hi = arg
    if e.kind in ("all", "any", "palindrome"):
        return BOOL
    terms = max(1, min(length, e.window or length))
    if e.kind == "count":
        return 0, terms
    if e.kind == "sum":
        return min(lo, terms * lo), max(hi, terms * hi)
    if e.kind == "run":
        return 1, terms
    if e.kind == "changes":
        return 0, terms - 1
    if e.kind == "distinct":
        return 1, min(terms, hi - lo + 1)
    return lo, hi


def unrolled(inputs: Mapping[str, Interval], states, steps, length: int) -> dict[str, Interval]:
    """Bounds of the inputs, states and step-level assignments (anything with `kind`, `name`,
    `expr`) over every position 0..length-1, by unrolling the step.

    Unrolling stops early once the state bounds repeat: every later step gives the same bounds.
    Raises `TooLarge` when a bound grows wider than `MAX_BITS`.
    """
    state_env = {name: (value, value) for name, value in states}
    seen = {**inputs, **state_env}
    for _ in range(length):
        current = {**inputs, **state_env}
        for step in steps:
            bound = within_bits(step.name, interval(step.expr, current, length), length)
            current[step.name] = bound
            seen[step.name] = hull(seen.get(step.name, bound), bound)
        after = {name: current[name] for name in state_env}
        if after == state_env:
            break
        state_env = after
    return seen
