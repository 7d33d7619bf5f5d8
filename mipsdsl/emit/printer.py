"""Printers from the step-level IR: to Python for the emitted module, to .mips notation for people.

Python: every IR value is an int, and comparisons and logic are 0/1. The printed code keeps that:
an assigned value is always a Python int, never a bool. Inside an expression a bool is as good as
0/1 (`(x < 3) + y` is exact), so `int(...)` appears only where a bool would be stored, and
`a and b` is printed as such when both sides are known 0/1 (from interval bounds); otherwise the
operands are made 0/1 with `bool()` first. Parentheses follow Python's precedence, plus a few
for readers where Python's table is little known: `and` inside `or`, `^` inside `and`/`or`.

The .mips rendering is the spec language's own syntax (`if c then a else b`, `and`, `xor`), whose
meaning README.md defines; it parses back to the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mipsdsl import expr as E
from mipsdsl.bounds import Interval
from mipsdsl.expr import MipsLevel as M
from mipsdsl.expr import PythonLevel as Py
from mipsdsl.program import expr_bounds

# ---------------------------------------------------------------- Python

# What a printed Python expression is: exactly an int; a number that may be a bool (True for 1);
# or a truth value only (its truthiness is right, not its value): enough for `if` and `not`.
INT, NUMBER, TRUTH = "int", "number", "truth"


class PythonPrinter:
    """Prints step-level IR as Python over the identifiers in `names`.

    `bounds` gives sound intervals of variables (None or missing: unknown); they decide where
    `and`/`or`/`xor` can act on the values directly.
    """

    def __init__(self, names: Mapping[str, str], bounds: Mapping[str, Interval | None]):
        self.names = names
        self.bounds = bounds

    def value(self, e: E.Expr) -> str:
        """Python source whose value is the int that `e` evaluates to."""
        text, _, kind = self._print(e, truth=False)
        return text if kind == INT else f"int({text})"

    def _zero_one(self, e: E.Expr) -> bool:
        b = expr_bounds(e, self.bounds)
        return b is not None and 0 <= b[0] and b[1] <= 1

    def _operand(self, e: E.Expr, least: int, truth: bool = False) -> tuple[str, str]:
        """`e` printed to bind at least as tightly as precedence `least`, and its kind."""
        text, prec, kind = self._print(e, truth)
        return (f"({text})" if prec < least else text), kind

    def _print(self, e: E.Expr, truth: bool) -> tuple[str, int, str]:
        """(source, precedence, kind); `truth` allows a result that is right only as a truth
        value."""
        if isinstance(e, E.Const):
            return str(e.value), (Py.NEG if e.value < 0 else Py.ATOM), INT
        if isinstance(e, E.Var):
            return self.names[e.name], Py.ATOM, INT
        if isinstance(e, E.Unary):
            operator = E.OPERATORS[e.op]
            kind = NUMBER if operator.truth_valued else INT
            if operator.call:
                text, _ = self._operand(e.arg, 0)
                return f"{operator.python}({text})", operator.python_level, kind
            text, _ = self._operand(e.arg, operator.python_level, truth=operator.on_truths)
            return _prefix(operator.python, text), operator.python_level, kind
        if isinstance(e, E.Binary):
            return self._binary(e, truth)
        if isinstance(e, E.Member):
            arg, _ = self._operand(e.arg, Py.COMPARE + 1)
            return f"{arg} in ({', '.join(map(str, e.values))})", Py.COMPARE, NUMBER
        if isinstance(e, E.Cond):
            test, _ = self._operand(e.test, Py.OR, truth=True)
            then, k1 = self._operand(e.then, Py.OR, truth)
            orelse, k2 = self._operand(e.orelse, Py.COND, truth)
            return f"{then} if {test} else {orelse}", Py.COND, _weakest(k1, k2)
        raise TypeError(f"not a step-level expression: {e!r}")

    def _binary(self, e: E.Binary, truth: bool) -> tuple[str, int, str]:
        op, operator = e.op, E.OPERATORS[e.op]
        spelling, prec = operator.python, operator.python_level
        if operator.call:  # min and max, whose nesting reads as one call: they are associative
            parts = [self._operand(a, 0) for a in _chain(e, op)]
            text = ", ".join(text for text, _ in parts)
            return f"{spelling}({text})", prec, _weakest(*(kind for _, kind in parts))
        if operator.kind == "arithmetic":
            left, _ = self._operand(e.left, prec)
            right, _ = self._operand(e.right, prec + 1)
            return f"{left} {spelling} {right}", prec, INT
        if operator.kind == "comparison":
            left, _ = self._operand(e.left, prec + 1)
            right, _ = self._operand(e.right, prec + 1)
            return f"{left} {spelling} {right}", prec, NUMBER
        if op == "xor":  # `^` is exact on 0/1 only, so operands are made 0/1 whatever the context
            left, k1, _ = self._logic_operand(e.left, prec, truth=False)
            right, k2, _ = self._logic_operand(e.right, prec + 1, truth=False)
            return f"{left} {spelling} {right}", prec, _weakest(k1, k2)
        # `a and b or c` and `a and b ^ c` are exact, but readers should not need the table
        least = [_logic_least(op, a, prec) for a in (e.left, e.right)]
        left, k1, exact1 = self._logic_operand(e.left, least[0], truth)
        right, k2, exact2 = self._logic_operand(e.right, max(least[1], prec + 1), truth)
        # the result is one of the operands: exact when both are exactly 0/1
        return f"{left} {spelling} {right}", prec, _weakest(k1, k2) if exact1 and exact2 else TRUTH

    def _logic_operand(self, e: E.Expr, least: int, truth: bool) -> tuple[str, str, bool]:
        """An operand of and/or/xor, and whether its printed value is exactly the 0/1 it stands for.

        A value known to be 0/1 is used as is; so is any value where only its truth matters;
        anything else is made 0/1 with bool().
        """
        text, kind = self._operand(e, least, truth)
        if kind != TRUTH and self._zero_one(e):
            return text, kind, True
        if truth:
            return text, kind, False
        text, _ = self._operand(e, 0, truth=True)
        return f"bool({text})", NUMBER, True


def _logic_least(op: str, operand: E.Expr, prec: int) -> int:
    """How tightly an operand of and/or must bind: `and` inside `or`, and `^`, get parentheses."""
    if isinstance(operand, E.Binary):
        if operand.op == "xor":
            return Py.ATOM
        if op == "or" and operand.op == "and":
            return Py.NOT
    return prec


def _prefix(spelling: str, operand: str) -> str:
    """A prefix operator before its operand: a word (`not`) takes a space, a sign (`-`) none."""
    return f"{spelling} {operand}" if spelling.isalpha() else f"{spelling}{operand}"


def _weakest(*kinds: str) -> str:
    for kind in (TRUTH, NUMBER):
        if kind in kinds:
            return kind
    return INT


def _chain(e: E.Expr, op: str) -> list[E.Expr]:
    """The operands of nested min (or max): min is associative, so min(min(a, b), c) is
    min(a, b, c)."""
    if isinstance(e, E.Binary) and e.op == op:
        return _chain(e.left, op) + _chain(e.right, op)
    return [e]


# ---------------------------------------------------------------- .mips notation


def to_mips(e: E.Expr, name: Callable[[str], str] = str) -> str:
    """`e` in .mips expression syntax, with as few parentheses as its grammar allows."""
    return _mips(e, name)[0]


def _m_operand(e: E.Expr, least: int, name) -> str:
    text, prec = _mips(e, name)
    return f"({text})" if prec < least else text


def _m_least(op: str, operand: E.Expr, prec: int) -> int:
    """Parenthesise `and` inside `or`/`xor`, and `or` and `xor` mixed (one level in .mips): exact
    without, but readers should not need the grammar for it."""
    if op in ("or", "xor") and isinstance(operand, E.Binary):
        if operand.op == "and" or (operand.op in ("or", "xor") and operand.op != op):
            return M.ATOM
    return prec


def _mips(e: E.Expr, name) -> tuple[str, int]:
    if isinstance(e, E.Const):
        return str(e.value), (M.NEG if e.value < 0 else M.ATOM)
    if isinstance(e, E.Var):
        return name(e.name), M.ATOM
    if isinstance(e, E.Position):
        return "t", M.ATOM
    if isinstance(e, E.Unary | E.Binary):
        operator = E.OPERATORS[e.op]
        spelling, prec = operator.mips, operator.mips_level
        if operator.call:
            args = [e.arg] if isinstance(e, E.Unary) else _chain(e, e.op)
            return f"{spelling}({', '.join(_m_operand(a, 0, name) for a in args)})", prec
        if isinstance(e, E.Unary):
            return _prefix(spelling, _m_operand(e.arg, prec, name)), prec
        if operator.kind == "comparison":  # comparisons do not chain in .mips
            left = _m_operand(e.left, prec + 1, name)
            return f"{left} {spelling} {_m_operand(e.right, prec + 1, name)}", prec
        left = _m_operand(e.left, _m_least(e.op, e.left, prec), name)
        right = _m_operand(e.right, _m_least(e.op, e.right, prec + 1), name)
        return f"{left} {spelling} {right}", prec
    if isinstance(e, E.Cond):
        test = _m_operand(e.test, M.OR, name)
        then = _m_operand(e.then, M.OR, name)
        return f"if {test} then {then} else {_m_operand(e.orelse, M.COND, name)}", M.COND
    if isinstance(e, E.Member):  # .mips has no membership test: the equalities it stands for
        equal = [E.Binary("==", e.arg, E.Const(v)) for v in e.values]
        return _mips(E.fold("or", equal), name)
    if isinstance(e, E.Matches):  # the pattern as written: the grammar keeps it free of `"`
        return f'matches({_m_operand(e.arg, 0, name)}, "{e.automaton.pattern}")', M.ATOM
    if isinstance(e, E.Aggregate):
        window = "" if e.window is None else f", last {e.window}" + (", full" if e.full else "")
        ties = ", ties largest" if e.kind == "mode" and e.ties == "largest" else ""
        return f"{e.kind}({_m_operand(e.arg, 0, name)}{window}{ties})", M.ATOM
    raise TypeError(f"cannot print {type(e).__name__} in .mips notation here")
