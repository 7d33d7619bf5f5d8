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
from mipsdsl.program import expr_bounds

# ---------------------------------------------------------------- Python

_PY_COND, _PY_OR, _PY_AND, _PY_NOT, _PY_CMP = 1, 2, 3, 4, 5
_PY_XOR, _PY_ADD, _PY_MUL, _PY_NEG, _PY_ATOM = 7, 10, 11, 12, 14
_PY_BINARY = {"+": _PY_ADD, "-": _PY_ADD, "*": _PY_MUL, "//": _PY_MUL, "%": _PY_MUL}

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
            return str(e.value), (_PY_NEG if e.value < 0 else _PY_ATOM), INT
        if isinstance(e, E.Var):
            return self.names[e.name], _PY_ATOM, INT
        if isinstance(e, E.Unary):
            if e.op == "neg":
                text, _ = self._operand(e.arg, _PY_NEG)
                return f"-{text}", _PY_NEG, INT
            if e.op == "abs":
                text, _ = self._operand(e.arg, 0)
                return f"abs({text})", _PY_ATOM, INT
            text, _ = self._operand(e.arg, _PY_NOT, truth=True)
            return f"not {text}", _PY_NOT, NUMBER
        if isinstance(e, E.Binary):
            return self._binary(e, truth)
        if isinstance(e, E.Cond):
            test, _ = self._operand(e.test, _PY_OR, truth=True)
            then, k1 = self._operand(e.then, _PY_OR, truth)
            orelse, k2 = self._operand(e.orelse, _PY_COND, truth)
            return f"{then} if {test} else {orelse}", _PY_COND, _weakest(k1, k2)
        raise TypeError(f"not a step-level expression: {e!r}")

    def _binary(self, e: E.Binary, truth: bool) -> tuple[str, int, str]:
        op = e.op
        if op in _PY_BINARY:
            prec = _PY_BINARY[op]
            left, _ = self._operand(e.left, prec)
            right, _ = self._operand(e.right, prec + 1)
            return f"{left} {op} {right}", prec, INT
        if op in ("min", "max"):
            parts = [self._operand(a, 0) for a in _chain(e, op)]
            text = ", ".join(text for text, _ in parts)
            return f"{op}({text})", _PY_ATOM, _weakest(*(kind for _, kind in parts))
        if op in E.COMPARISON_OPS:
            left, _ = self._operand(e.left, _PY_CMP + 1)
            right, _ = self._operand(e.right, _PY_CMP + 1)
            return f"{left} {op} {right}", _PY_CMP, NUMBER
        if op == "xor":  # `^` is exact on 0/1 only, so operands are made 0/1 whatever the context
            left, k1, _ = self._logic_operand(e.left, _PY_XOR, truth=False)
            right, k2, _ = self._logic_operand(e.right, _PY_XOR + 1, truth=False)
            return f"{left} ^ {right}", _PY_XOR, _weakest(k1, k2)
        prec = _PY_AND if op == "and" else _PY_OR
        # `a and b or c` and `a and b ^ c` are exact, but readers should not need the table
        least = [_logic_least(op, a, prec) for a in (e.left, e.right)]
        left, k1, exact1 = self._logic_operand(e.left, least[0], truth)
        right, k2, exact2 = self._logic_operand(e.right, max(least[1], prec + 1), truth)
        # the result is one of the operands: exact when both are exactly 0/1
        return f"{left} {op} {right}", prec, _weakest(k1, k2) if exact1 and exact2 else TRUTH

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
            return _PY_ATOM
        if op == "or" and operand.op == "and":
            return _PY_NOT
    return prec


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

_M_COND, _M_OR, _M_AND, _M_NOT, _M_CMP, _M_ADD, _M_MUL, _M_NEG, _M_ATOM = range(9)
_M_BINARY = {"or": _M_OR, "xor": _M_OR, "and": _M_AND, "+": _M_ADD, "-": _M_ADD}
_M_BINARY.update({op: _M_MUL for op in ("*", "//", "%")})


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
            return _M_ATOM
    return prec


def _mips(e: E.Expr, name) -> tuple[str, int]:
    if isinstance(e, E.Const):
        return str(e.value), (_M_NEG if e.value < 0 else _M_ATOM)
    if isinstance(e, E.Var):
        return name(e.name), _M_ATOM
    if isinstance(e, E.Position):
        return "t", _M_ATOM
    if isinstance(e, E.Unary):
        if e.op == "abs":
            return f"abs({_m_operand(e.arg, 0, name)})", _M_ATOM
        if e.op == "neg":
            return f"-{_m_operand(e.arg, _M_NEG, name)}", _M_NEG
        return f"not {_m_operand(e.arg, _M_NOT, name)}", _M_NOT
    if isinstance(e, E.Binary):
        if e.op in ("min", "max"):
            args = ", ".join(_m_operand(a, 0, name) for a in _chain(e, e.op))
            return f"{e.op}({args})", _M_ATOM
        if e.op in E.COMPARISON_OPS:  # comparisons do not chain in .mips
            left = _m_operand(e.left, _M_CMP + 1, name)
            return f"{left} {e.op} {_m_operand(e.right, _M_CMP + 1, name)}", _M_CMP
        prec = _M_BINARY[e.op]
        left = _m_operand(e.left, _m_least(e.op, e.left, prec), name)
        right = _m_operand(e.right, _m_least(e.op, e.right, prec + 1), name)
        return f"{left} {e.op} {right}", prec
    if isinstance(e, E.Cond):
        test = _m_operand(e.test, _M_OR, name)
        then = _m_operand(e.then, _M_OR, name)
        return f"if {test} then {then} else {_m_operand(e.orelse, _M_COND, name)}", _M_COND
    raise TypeError(f"cannot print {type(e).__name__} in .mips notation here")
