"""The one expression IR, shared by spec targets and synthesized programs, and its evaluator.

Every value is an integer (truth values are 0 and 1). Evaluation is vectorised with numpy and
works at two levels with the same code:

- sequence level: variables are arrays of shape (N, L), the last axis being the position t;
  here `Shift` (`e[t-k]`) and `Aggregate` (prefix folds such as `sum(e)`) are allowed;
- step level: variables are arrays of shape (N,) at one position; only elementwise nodes.

Each operator is defined once, in `OPERATORS`: its evaluation, its spelling and precedence in
Python and in .mips, and the algebraic facts simplification and search rely on.

Division or modulo by zero does not raise at the node: it marks the affected elements undefined,
so that `if b != 0 then a // b else 0` is fine, and the caller decides whether an undefined value
reached a position that matters (`EvaluationError`).

Values are int64 unless the caller asks for `exact` evaluation, which uses object arrays of Python
ints; callers ask for it where interval bounds (`mipsdsl.bounds.fits_int64`) leave int64, so that
the common case keeps numpy's speed and no value ever wraps around.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np

INT = np.int64


@dataclass(frozen=True)
class Const:
    value: int


@dataclass(frozen=True)
class Var:
    """An input channel, state variable or named intermediate value."""

    name: str


@dataclass(frozen=True)
class Position:
    """The position t (0-based)."""


class PythonLevel(IntEnum):
    """Python's precedence levels, loosest first, as its language reference orders them."""

    COND = 1
    OR = 2
    AND = 3
    NOT = 4
    COMPARE = 5
    XOR = 7
    ADD = 10
    MUL = 11
    NEG = 12
    ATOM = 14


class MipsLevel(IntEnum):
    """The .mips grammar's precedence levels, loosest first."""

    COND = 0
    OR = 1
    XOR = 1  # the same level as `or`
    AND = 2
    NOT = 3
    COMPARE = 4
    ADD = 5
    MUL = 6
    NEG = 7
    ATOM = 8


@dataclass(frozen=True)
class Operator:
    """Everything the other modules need to know about one operator, so that it is said once.

    `numpy` computes it elementwise on int64 or object arrays; when `on_truths`, it sees its
    operands' truth values (bool arrays), and when `truth_valued` its result is a bool array that
    evaluation turns into 0/1. `partial` operators are undefined where the right operand is 0.
    A `call` operator is printed as a call (`min(a, b)`, `abs(a)`) in both notations, a unary one
    otherwise as a prefix. `flipped` is the operator that gives the same value with the operands
    swapped (itself when commutative), `negated` the one with the opposite truth value. The
    interval rules are `mipsdsl.bounds.RULES`, keyed by name.
    """

    name: str
    kind: str  # "unary", "arithmetic", "comparison" or "logic"
    numpy: Callable[..., np.ndarray]
    python: str
    python_level: PythonLevel
    mips: str
    mips_level: MipsLevel
    truth_valued: bool = False
    on_truths: bool = False
    partial: bool = False
    call: bool = False
    flipped: str | None = None
    negated: str | None = None

    @property
    def arity(self) -> int:
        return 1 if self.kind == "unary" else 2

    @property
    def commutative(self) -> bool:
        return self.flipped == self.name


def _row(name: str, kind: str, numpy, level: str, **fields) -> Operator:
    """One operator, spelled `name` in both notations and at the level named `level` in both,
    unless `fields` says otherwise."""
    spelled = {"python": name, "mips": name}
    levels = {"python_level": PythonLevel[level], "mips_level": MipsLevel[level]}
    return Operator(name, kind, numpy, **{**spelled, **levels, **fields})


def _comparison(name: str, numpy, flipped: str, negated: str) -> Operator:
    fields = {"flipped": flipped, "negated": negated}
    return _row(name, "comparison", numpy, "COMPARE", truth_valued=True, **fields)


def _logic(name: str, numpy, level: str, **fields) -> Operator:
    return _row(
        name, "logic", numpy, level, flipped=name, truth_valued=True, on_truths=True, **fields
    )


# The table's order is the order of the tuples below and of the enumerative search.
OPERATORS: dict[str, Operator] = {
    operator.name: operator
    for operator in (
        _row("neg", "unary", np.negative, "NEG", python="-", mips="-"),
        _row("not", "unary", np.logical_not, "NOT", truth_valued=True, on_truths=True),
        _row("abs", "unary", np.abs, "ATOM", call=True),
        _row("+", "arithmetic", np.add, "ADD", flipped="+"),
        _row("-", "arithmetic", np.subtract, "ADD"),
        _row("*", "arithmetic", np.multiply, "MUL", flipped="*"),
        _row("//", "arithmetic", np.floor_divide, "MUL", partial=True),
        _row("%", "arithmetic", np.remainder, "MUL", partial=True),
        _row("min", "arithmetic", np.minimum, "ATOM", flipped="min", call=True),
        _row("max", "arithmetic", np.maximum, "ATOM", flipped="max", call=True),
        _comparison("==", np.equal, flipped="==", negated="!="),
        _comparison("!=", np.not_equal, flipped="!=", negated="=="),
        _comparison("<", np.less, flipped=">", negated=">="),
        _comparison("<=", np.less_equal, flipped=">=", negated=">"),
        _comparison(">", np.greater, flipped="<", negated="<="),
        _comparison(">=", np.greater_equal, flipped="<=", negated="<"),
        _logic("and", np.logical_and, "AND"),
        _logic("or", np.logical_or, "OR"),
        _logic("xor", np.logical_xor, "XOR", python="^"),
    )
}


def _named(kind: str) -> tuple[str, ...]:
    return tuple(name for name, operator in OPERATORS.items() if operator.kind == kind)


UNARY_OPS = _named("unary")
ARITHMETIC_OPS = _named("arithmetic")
COMPARISON_OPS = _named("comparison")
LOGIC_OPS = _named("logic")


@dataclass(frozen=True)
class Unary:
    op: str  # one of UNARY_OPS
    arg: Expr


@dataclass(frozen=True)
class Binary:
    op: str  # one of ARITHMETIC_OPS, COMPARISON_OPS, LOGIC_OPS
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Cond:
    test: Expr
    then: Expr
    orelse: Expr


@dataclass(frozen=True)
class Shift:
    """`arg[t-k]` for k >= 1; positions before the start read `pad`."""

    arg: Expr
    k: int
    pad: int = 0


@dataclass(frozen=True)
class Aggregate:
    """A fold of `arg` over positions 0..t, or over the last `window` positions (truncated at 0).

    `mode` is the most frequent value, ties broken towards the `ties` end ("smallest" or
    "largest"); `palindrome` is 1 when the prefix reads the same backwards; `run` is the length
    of the current run of equal values, `distinct` how many different values there are and
    `changes` how many times the value changed from one position to the next (within the window:
    between its positions). With `full` the fold is 0 until `window` positions exist.
    """

    kind: str  # one of AGGREGATES
    arg: Expr
    window: int | None = None
    ties: str = "smallest"
    full: bool = False


AGGREGATES = (
    "sum",
    "count",
    "min",
    "max",
    "mode",
    "all",
    "any",
    "palindrome",
    "run",
    "distinct",
    "changes",
)


@dataclass(frozen=True)
class Automaton:
    """A complete deterministic automaton over the integer `symbols`, compiled from `pattern`.

    State 0 is the start; `table[q][i]` is the state after reading `symbols[i]` in state q. A value
    that is not a symbol leads to a rejecting sink (the checker makes sure none can occur).
    """

    pattern: str
    symbols: tuple[int, ...]  # ascending
    table: tuple[tuple[int, ...], ...]
    accepting: tuple[int, ...]  # ascending

    @property
    def states(self) -> int:
        return len(self.table)


@dataclass(frozen=True)
class Matches:
    """1 when the prefix arg[0..t], read as a string of symbols, is in the automaton's language."""

    arg: Expr
    automaton: Automaton


@dataclass(frozen=True)
class Member:
    """1 when arg is one of `values` (ascending, at least two): `x in (0, 1, 4, 9, 16)`, the
    readable form of a truth table over one small alphabet."""

    arg: Expr
    values: tuple[int, ...]


Expr = Const | Var | Position | Unary | Binary | Cond | Shift | Aggregate | Matches | Member


class EvaluationError(Exception):
    """An undefined value (division or modulo by zero) reached a position that matters."""

    def __init__(self, message: str, index: tuple[int, ...]):
        super().__init__(message)
        self.index = index


def fold(op: str, items: Sequence[Expr]) -> Expr:
    """`items` joined by the binary `op` from the left: ((a op b) op c) ..., the order in which
    `min(a, b, c)` and `a and b and c` are read; one item is itself."""
    result = items[0]
    for item in items[1:]:
        result = Binary(op, result, item)
    return result


def children(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Unary | Shift | Aggregate | Matches | Member):
        return (e.arg,)
    if isinstance(e, Binary):
        return (e.left, e.right)
    if isinstance(e, Cond):
        return (e.test, e.then, e.orelse)
    return ()


def walk(e: Expr):
    """Every node of `e`, parents before children."""
    yield e
    for child in children(e):
        yield from walk(child)


def size(e: Expr) -> int:
    """IR nodes in `e`, each value of a membership test counted as one: how formulas are
    compared."""
    return sum(1 + (len(node.values) if isinstance(node, Member) else 0) for node in walk(e))


def free_vars(e: Expr) -> set[str]:
    return {node.name for node in walk(e) if isinstance(node, Var)}


def is_sequence_level(e: Expr) -> bool:
    """True when `e` needs the whole prefix (a shift or an aggregate), not just the current step."""
    return any(isinstance(node, Shift | Aggregate | Matches) for node in walk(e))


def with_children(e: Expr, new: Sequence[Expr]) -> Expr:
    """`e` with its children (in the order of `children`) replaced by `new`."""
    if isinstance(e, Unary | Shift | Aggregate | Matches | Member):
        return replace(e, arg=new[0])
    if isinstance(e, Binary):
        return replace(e, left=new[0], right=new[1])
    if isinstance(e, Cond):
        return replace(e, test=new[0], then=new[1], orelse=new[2])
    return e


def rewrite(e: Expr, rule: Callable[[Expr], Expr]) -> Expr:
    """`e` rebuilt bottom-up, each node passed through `rule` after its children."""
    return rule(with_children(e, [rewrite(child, rule) for child in children(e)]))


# ---------------------------------------------------------------- evaluation


def evaluate(
    e: Expr,
    env: Mapping[str, np.ndarray],
    shape: tuple[int, ...],
    position: np.ndarray | int,
    valid: np.ndarray | None = None,
    exact: bool = False,
) -> np.ndarray:
    """Evaluate `e` to an int64 array of `shape`, or with `exact` to an object array of Python ints.

    `position` is the value of t: an int at step level, or `np.arange(L)` at sequence level.
    Raises `EvaluationError` if an undefined value lands where `valid` (default: everywhere) is
    true.
    """
    dtype = object if exact else INT
    values, undefined = _eval(e, env, shape, position, dtype)
    values = np.broadcast_to(np.asarray(values, dtype=dtype), shape).astype(dtype, copy=False)
    if undefined is not None:
        bad = np.broadcast_to(undefined, shape)
        if valid is not None:
            bad = bad & valid
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise EvaluationError("division or modulo by zero", index)
    return values


def _or(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _eval(e, env, shape, position, dtype):
    """Values and undefined marks of `e`; with dtype object every value becomes an object array of
    Python ints (truth values included), so that no Python int meets an int64 array alone."""
    values, undefined = _node(e, env, shape, position, dtype)
    if dtype is object:  # astype, not asarray: asarray keeps a 0-d int64's numpy scalar
        values = np.asarray(values).astype(object)
    return values, undefined


def _node(e, env, shape, position, dtype):
    if isinstance(e, Const):
        return np.asarray(e.value, dtype=dtype), None
    if isinstance(e, Var):
        return np.asarray(env[e.name]).astype(dtype, copy=False), None
    if isinstance(e, Position):
        return np.asarray(position).astype(dtype), None
    if isinstance(e, Unary):
        a, u = _eval(e.arg, env, shape, position, dtype)
        return apply(e.op, a), u
    if isinstance(e, Binary):
        a, ua = _eval(e.left, env, shape, position, dtype)
        b, ub = _eval(e.right, env, shape, position, dtype)
        return _binary(e.op, a, b, _or(ua, ub))
    if isinstance(e, Cond):
        c, uc = _eval(e.test, env, shape, position, dtype)
        a, ua = _eval(e.then, env, shape, position, dtype)
        b, ub = _eval(e.orelse, env, shape, position, dtype)
        pick = c != 0
        undefined = None
        if ua is not None or ub is not None:
            undefined = np.where(pick, False if ua is None else ua, False if ub is None else ub)
        return np.where(pick, a, b), _or(uc, undefined)
    if isinstance(e, Shift):
        a, u = _eval(e.arg, env, shape, position, dtype)
        a = np.broadcast_to(a, shape)
        shifted = _shift(a, e.k, np.full(shape, e.pad, dtype=dtype))
        if u is not None:
            u = _shift(np.broadcast_to(u, shape), e.k, np.zeros(shape, dtype=bool))
        return shifted, u
    if isinstance(e, Aggregate):
        a, u = _eval(e.arg, env, shape, position, dtype)
        a = np.broadcast_to(a, shape).astype(dtype, copy=False)
        if u is not None:
            u = _window_sum(np.broadcast_to(u, shape).astype(INT), e.window) > 0
        values = _aggregate(e, a)
        if e.full:  # 0, and never undefined, until the window is full
            filled = np.arange(shape[-1]) >= (e.window or 1) - 1
            values = np.where(filled, values, 0)
            u = None if u is None else u & filled
        return values, u
    if isinstance(e, Member):
        a, u = _eval(e.arg, env, shape, position, dtype)
        return np.isin(a, np.asarray(e.values, dtype=a.dtype)).astype(INT), u
    if isinstance(e, Matches):
        a, u = _eval(e.arg, env, shape, position, dtype)
        if u is not None:
            u = np.cumsum(np.broadcast_to(u, shape), axis=-1) > 0
        return _matches(e.automaton, np.broadcast_to(a, shape)), u
    raise TypeError(f"not an expression node: {e!r}")


def _binary(op, a, b, undefined):
    if OPERATORS[op].partial:
        zero = b == 0
        if np.any(zero):
            b = np.where(zero, 1, b)
            undefined = _or(undefined, zero)
    return apply(op, a, b), undefined


def apply(op: str, *operands: np.ndarray) -> np.ndarray:
    """The operator `op` on value arrays, the IR's way: logic on truth values, truths as 0/1.
    A partial operator's zero divisors are the caller's to replace first."""
    operator = OPERATORS[op]
    if operator.on_truths:
        operands = tuple(operand != 0 for operand in operands)
    result = operator.numpy(*operands)
    return np.asarray(result).astype(INT) if operator.truth_valued else result


def _shift(a: np.ndarray, k: int, fill: np.ndarray) -> np.ndarray:
    """a[..., t-k], taking `fill[..., t]` where t-k < 0."""
    out = fill.copy()
    if k < a.shape[-1]:
        out[..., k:] = a[..., : a.shape[-1] - k]
    return out


def _window_sum(a: np.ndarray, window: int | None) -> np.ndarray:
    """Sums over the window as differences of prefix sums: exact in int64 whenever the result
    fits, since int64 wraps around modulo 2**64."""
    total = np.cumsum(a, axis=-1, dtype=a.dtype)
    if window is None:
        return total
    return total - _shift(total, window, np.zeros_like(total))


def _window_count(shape, window: int | None) -> np.ndarray:
    t = np.arange(shape[-1], dtype=INT) + 1
    return t if window is None else np.minimum(t, window)


def _aggregate(e: Aggregate, a: np.ndarray) -> np.ndarray:
    kind, window = e.kind, e.window
    if kind == "sum":
        return _window_sum(a, window)
    if kind in ("count", "any", "all"):
        hits = _window_sum((a != 0).astype(INT), window)
        if kind == "count":
            return hits
        if kind == "any":
            return (hits > 0).astype(INT)
        return (hits == _window_count(a.shape, window)).astype(INT)
    if kind in ("min", "max"):
        fold = np.minimum if kind == "min" else np.maximum
        if window is None:
            return fold.accumulate(a, axis=-1)
        out = a.copy()
        for k in range(1, window):
            out = fold(out, _shift(a, k, a))  # before the start, the current value stands in
        return out
    if kind == "mode":
        return _mode(a, window, e.ties)
    if kind == "palindrome":
        return _palindrome(a, window)
    if kind == "run":
        positions = np.arange(a.shape[-1])
        start = np.maximum.accumulate(np.where(_changed(a), positions, 0), axis=-1)
        run = positions - start + 1
        return run if window is None else np.minimum(run, window)
    if kind == "changes":  # a window of w positions has w - 1 steps between them
        return _window_sum(_changed(a).astype(INT), None if window is None else window - 1)
    if kind == "distinct":
        return _distinct(a, window)
    raise ValueError(f"unknown aggregate {kind!r}")


def _changed(a: np.ndarray) -> np.ndarray:
    """Whether the value at t differs from the one at t-1 (never at t = 0)."""
    changed = np.zeros(a.shape, dtype=bool)
    changed[..., 1:] = a[..., 1:] != a[..., :-1]
    return changed


def _distinct(a: np.ndarray, window: int | None) -> np.ndarray:
    """Different values in the window. Over the prefix, by marking where each value first
    occurs (a stable sort groups equal values, the first of a group being the first occurrence);
    over a window, by counting each candidate value in it."""
    if window is not None:
        codes, candidates, _ = _coded(a)
        return np.count_nonzero(_counts(codes, candidates, window) > 0, axis=-2).astype(INT)
    order = np.argsort(a, axis=-1, kind="stable")
    ordered = np.take_along_axis(a, order, axis=-1)
    first = np.ones(a.shape, dtype=bool)
    first[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    new = np.empty(a.shape, dtype=bool)
    np.put_along_axis(new, order, first, axis=-1)
    return np.cumsum(new, axis=-1, dtype=INT)


def _coded(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Values as codes to count, the candidate codes, and the table from codes back to values.

    The candidates are the batch's values when there are at most L of them (codes are the
    values, no table), else each sequence's own values by rank: counting takes N*L*min(V, L)
    cells, never N*L*V for a large alphabet."""
    length = a.shape[-1]
    values = np.unique(a)
    if len(values) > length:  # a value's code: where it first occurs in its sorted sequence
        order = np.argsort(a, axis=-1, kind="stable")
        table = np.take_along_axis(a, order, axis=-1)
        starts = np.ones(a.shape, dtype=bool)
        starts[..., 1:] = table[..., 1:] != table[..., :-1]
        first = np.maximum.accumulate(np.where(starts, np.arange(length), 0), axis=-1)
        codes = np.empty_like(first)
        np.put_along_axis(codes, order, first, axis=-1)
        return codes, np.arange(length), table  # codes no value has count 0
    return a, values, None


def _counts(codes: np.ndarray, candidates: np.ndarray, window: int | None) -> np.ndarray:
    """(..., candidates, L): how often each candidate occurs in the window."""
    return _window_sum((codes[..., None] == candidates).astype(INT).swapaxes(-1, -2), window)


def _mode(a: np.ndarray, window: int | None, ties: str) -> np.ndarray:
    """The most frequent value in the window, by counting each candidate."""
    codes, candidates, table = _coded(a)
    if ties == "largest":
        candidates = candidates[::-1]
    # argmax takes the first maximum, the preferred end; a code no value has is never chosen.
    best = candidates[np.argmax(_counts(codes, candidates, window), axis=-2)]
    return best if table is None else np.take_along_axis(table, best, axis=-1)


def _palindrome(a: np.ndarray, window: int | None) -> np.ndarray:
    out = np.empty(a.shape, dtype=INT)
    for t in range(a.shape[-1]):
        prefix = a[..., 0 if window is None else max(0, t + 1 - window) : t + 1]
        out[..., t] = np.all(prefix == prefix[..., ::-1], axis=-1)
    return out


def _matches(automaton: Automaton, a: np.ndarray) -> np.ndarray:
    """Steps the automaton over the positions, one table lookup per position for all sequences.
    A value that is not a symbol reads the extra column, which leads to the sink (the last row)."""
    symbols = np.asarray(automaton.symbols, dtype=a.dtype)
    sink = automaton.states
    table = np.full((sink + 1, len(symbols) + 1), sink, dtype=INT)
    table[:sink, : len(symbols)] = automaton.table
    accepting = np.zeros(sink + 1, dtype=INT)
    accepting[list(automaton.accepting)] = 1
    at = np.minimum(np.searchsorted(symbols, a), len(symbols) - 1)
    column = np.where(symbols[at] == a, at, len(symbols)).astype(INT)
    state = np.zeros(a.shape[:-1], dtype=INT)
    out = np.empty(a.shape, dtype=INT)
    for t in range(a.shape[-1]):
        state = table[state, column[..., t]]
        out[..., t] = accepting[state]
    return out
