"""Algebraic simplification of the IR, so that emitted formulas read cleanly.

Every rewrite is exact on the IR's integers (int64, floor division and modulo like Python's), and
keeps undefinedness: a subterm that could divide by zero is never dropped, so `x // y * 0` stays
as it is while `x * 0` becomes 0. Constant subterms are folded with the IR's own evaluator, so
folding cannot disagree with evaluation. Rewrites either shrink the tree or move constants to a
canonical side, so simplification terminates.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeGuard

from mipsdsl import expr as E

_SAFE_CONSTANT = 1 << 62  # reassociated constants stay well inside int64


def simplify(e: E.Expr) -> E.Expr:
    """An expression equal to `e` on every input (and undefined exactly where `e` is)."""
    if isinstance(e, E.Unary):
        return _rewrite(E.Unary(e.op, simplify(e.arg)))
    if isinstance(e, E.Binary):
        return _rewrite(E.Binary(e.op, simplify(e.left), simplify(e.right)))
    if isinstance(e, E.Cond):
        return _rewrite(E.Cond(simplify(e.test), simplify(e.then), simplify(e.orelse)))
    if isinstance(e, E.Shift):
        return E.Shift(simplify(e.arg), e.k, e.pad)
    if isinstance(e, E.Aggregate | E.Matches | E.Member):
        return replace(e, arg=simplify(e.arg))
    return e


def is_boolean(e: E.Expr) -> bool:
    """True when `e` is always 0 or 1 by its form: a comparison, logic, `not`, or 0/1."""
    if isinstance(e, E.Const):
        return e.value in (0, 1)
    if isinstance(e, E.Member):
        return True
    if isinstance(e, E.Unary | E.Binary):
        return E.OPERATORS[e.op].truth_valued
    if isinstance(e, E.Cond):
        return is_boolean(e.then) and is_boolean(e.orelse)
    return False


def is_total(e: E.Expr) -> bool:
    """True when `e` is defined everywhere: no `//` or `%` by anything but a nonzero constant."""
    return not any(
        isinstance(node, E.Binary)
        and E.OPERATORS[node.op].partial
        and not (isinstance(node.right, E.Const) and node.right.value != 0)
        for node in E.walk(e)
    )


def _fold(e: E.Expr) -> E.Expr:
    """Evaluate a node whose operands are all constants; leave it if it divides by zero."""
    try:
        return E.Const(int(E.evaluate(e, {}, (), 0)))
    except E.EvaluationError:
        return e


def _truth(e: E.Expr) -> E.Expr:
    """0/1 with the truth value of `e`."""
    return e if is_boolean(e) else _rewrite(E.Binary("!=", e, E.Const(0)))


def _const(e: E.Expr, *values: int) -> TypeGuard[E.Const]:
    return isinstance(e, E.Const) and (not values or e.value in values)


def _rewrite(e: E.Expr) -> E.Expr:
    """Simplify one node whose children are already simplified."""
    if isinstance(e, E.Unary):
        return _unary(e)
    if isinstance(e, E.Binary):
        if _const(e.left) and _const(e.right):
            return _fold(e)
        return _binary(e.op, e.left, e.right) or e
    if isinstance(e, E.Cond):
        return _cond(e)
    return e


def _unary(e: E.Unary) -> E.Expr:
    a = e.arg
    if _const(a):
        return _fold(e)
    if e.op == "neg":
        if isinstance(a, E.Unary) and a.op == "neg":
            return a.arg
        if isinstance(a, E.Binary) and a.op == "-":  # -(p - q) = q - p
            return _rewrite(E.Binary("-", a.right, a.left))
    if e.op == "abs" and isinstance(a, E.Unary) and a.op in ("neg", "abs"):
        return _rewrite(E.Unary("abs", a.arg))
    if e.op == "not":
        if isinstance(a, E.Unary) and a.op == "not":
            return _truth(a.arg)
        negated = E.OPERATORS[a.op].negated if isinstance(a, E.Binary) else None
        if isinstance(a, E.Binary) and negated is not None:  # not (p < q) -> p >= q
            return _rewrite(E.Binary(negated, a.left, a.right))
    return e


def _binary(op: str, a: E.Expr, b: E.Expr) -> E.Expr | None:
    """The simpler form of `a op b`, or None when there is none."""
    operator = E.OPERATORS[op]
    if _const(a):  # constants go right: 2 * x -> x * 2, 3 < x -> x > 3
        if operator.flipped is not None:
            return _rewrite(E.Binary(operator.flipped, b, a))
    if op == "+":
        return _plus(a, b)
    if op == "-":
        return _minus(a, b)
    if op == "*":
        if _const(b, 1):
            return a
        if _const(b, 0) and is_total(a):
            return b
        if _const(b, -1):
            return _rewrite(E.Unary("neg", a))
        if _const(b) and isinstance(a, E.Binary) and a.op == "*" and _const(a.right):
            return _reassociate("*", a.left, a.right.value * b.value)
        return None
    if op == "//" and _const(b, 1):
        return a
    if op == "%" and _const(b, 1, -1) and is_total(a):
        return E.Const(0)
    if op in ("min", "max") and a == b:
        return a
    if operator.kind == "comparison":
        return _compare(op, a, b)
    if operator.kind == "logic":
        return _logic(op, a, b)
    return None


def _reassociate(op: str, a: E.Expr, constant: int) -> E.Expr | None:
    """`a op constant`, when the combined constant stays well inside int64."""
    if abs(constant) >= _SAFE_CONSTANT:
        return None
    return _rewrite(E.Binary(op, a, E.Const(constant)))


def _plus(a: E.Expr, b: E.Expr) -> E.Expr | None:
    if _const(b, 0):
        return a
    if _const(b) and b.value < 0 and -b.value < _SAFE_CONSTANT:  # x + -3 -> x - 3
        return _rewrite(E.Binary("-", a, E.Const(-b.value)))
    if isinstance(b, E.Unary) and b.op == "neg":  # x + -y -> x - y
        return _rewrite(E.Binary("-", a, b.arg))
    if isinstance(a, E.Unary) and a.op == "neg":  # -x + y -> y - x
        return _rewrite(E.Binary("-", b, a.arg))
    if _const(b) and isinstance(a, E.Binary) and a.op in ("+", "-") and _const(a.right):
        inner = a.right.value if a.op == "+" else -a.right.value
        return _reassociate("+", a.left, inner + b.value)
    return None


def _minus(a: E.Expr, b: E.Expr) -> E.Expr | None:
    if _const(b, 0):
        return a
    if _const(a, 0):
        return _rewrite(E.Unary("neg", b))
    if a == b and is_total(a):
        return E.Const(0)
    if _const(b) and b.value < 0 and -b.value < _SAFE_CONSTANT:  # x - -3 -> x + 3
        return _rewrite(E.Binary("+", a, E.Const(-b.value)))
    if isinstance(b, E.Unary) and b.op == "neg":  # x - -y -> x + y
        return _rewrite(E.Binary("+", a, b.arg))
    if _const(b) and isinstance(a, E.Binary) and a.op in ("+", "-") and _const(a.right):
        inner = a.right.value if a.op == "+" else -a.right.value
        return _reassociate("+", a.left, inner - b.value)
    return None


def _compare(op: str, a: E.Expr, b: E.Expr) -> E.Expr | None:
    if a == b and is_total(a):
        return E.Const(1 if op in ("==", "<=", ">=") else 0)
    if is_boolean(a) and _const(b, 0, 1) and op in ("==", "!="):
        if (op == "==") == (b.value == 1):  # b == 1, b != 0
            return a
        return _rewrite(E.Unary("not", a))  # b == 0, b != 1
    return None


def _logic(op: str, a: E.Expr, b: E.Expr) -> E.Expr | None:
    if _const(b):
        truth = b.value != 0
        if op == "and":
            return _truth(a) if truth else (E.Const(0) if is_total(a) else None)
        if op == "or":
            return E.Const(1) if truth and is_total(a) else (None if truth else _truth(a))
        return _rewrite(E.Unary("not", a)) if truth else _truth(a)
    if a == b and op in ("and", "or"):
        return _truth(a)
    return None


def _cond(e: E.Cond) -> E.Expr:
    test, then, orelse = e.test, e.then, e.orelse
    if _const(test):
        return then if test.value != 0 else orelse
    if then == orelse and is_total(test):
        return then
    if isinstance(test, E.Unary) and test.op == "not":
        return _rewrite(E.Cond(test.arg, orelse, then))
    if _const(then, 1) and _const(orelse, 0):
        return _truth(test)
    if _const(then, 0) and _const(orelse, 1):
        return _rewrite(E.Unary("not", test))
    return e
