"""The IR in z3: integer terms with the evaluator's meaning, over unbounded integers.

Each expression becomes a z3 term and a condition under which it is undefined (a division or
modulo by zero reached it), mirroring `mipsdsl.expr.evaluate`: a `Cond` is undefined only through
the branch it takes. `//` and `%` follow Python's floor semantics (z3's `div`/`mod` keep the
remainder non-negative, so a negative divisor needs a correction). Truth values stay z3 Booleans
until an integer is needed, so that `a == b and c < d` does not become arithmetic on 0/1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import z3

from mipsdsl import expr as E

# An integer or, for truth values, a Boolean term.
Term = Any


def as_int(v: Term) -> z3.ArithRef:
    return z3.If(v, z3.IntVal(1), z3.IntVal(0)) if z3.is_bool(v) else v


def as_bool(v: Term) -> z3.BoolRef:
    return v if z3.is_bool(v) else v != 0


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_LOGIC = {"and": z3.And, "or": z3.Or, "xor": z3.Xor}


@dataclass(frozen=True)
class Encoded:
    value: Term
    undefined: z3.BoolRef


def encode(e: E.Expr, env: Mapping[str, Term]) -> Encoded:
    """`e` over the terms in `env` (inputs, states and lets by name)."""
    false = z3.BoolVal(False)
    if isinstance(e, E.Const):
        return Encoded(z3.IntVal(e.value), false)
    if isinstance(e, E.Var):
        return Encoded(env[e.name], false)
    if isinstance(e, E.Unary):
        a = encode(e.arg, env)
        return Encoded(_unary(e.op, a.value), a.undefined)
    if isinstance(e, E.Binary):
        a, b = encode(e.left, env), encode(e.right, env)
        undefined = _either(a.undefined, b.undefined)
        if E.OPERATORS[e.op].partial:
            divisor = as_int(b.value)
            undefined = _either(undefined, divisor == 0)
        return Encoded(_binary(e.op, a.value, b.value), undefined)
    if isinstance(e, E.Member):
        a = encode(e.arg, env)
        number = as_int(a.value)
        return Encoded(z3.Or(*(number == v for v in e.values)), a.undefined)
    if isinstance(e, E.Cond):
        c, a, b = encode(e.test, env), encode(e.then, env), encode(e.orelse, env)
        test = as_bool(c.value)
        if z3.is_bool(a.value) and z3.is_bool(b.value):
            value: Term = z3.If(test, a.value, b.value)
        else:
            value = z3.If(test, as_int(a.value), as_int(b.value))
        branch = z3.If(test, a.undefined, b.undefined)
        return Encoded(value, _either(c.undefined, z3.simplify(branch)))
    raise TypeError(f"not a step-level expression: {e!r}")


def _either(a: z3.BoolRef, b: z3.BoolRef) -> z3.BoolRef:
    if z3.is_false(a):
        return b
    if z3.is_false(b):
        return a
    return z3.Or(a, b)


def _unary(op: str, a: Term) -> Term:
    if op == "not":
        return z3.Not(as_bool(a))
    n = as_int(a)
    if op == "neg":
        return -n
    if op == "abs":
        return z3.If(n < 0, -n, n)
    raise ValueError(f"unknown unary operator {op!r}")


def _binary(op: str, a: Term, b: Term) -> Term:
    if op in _LOGIC:
        return _LOGIC[op](as_bool(a), as_bool(b))
    x, y = as_int(a), as_int(b)
    if op in _COMPARE:
        return _COMPARE[op](x, y)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "min":
        return z3.If(x <= y, x, y)
    if op == "max":
        return z3.If(x >= y, x, y)
    if op in ("//", "%"):
        return _floor(op, x, y)
    raise ValueError(f"unknown operator {op!r}")


def _floor(op: str, a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    """Python's `a // b` or `a % b`; by 0 the value is the evaluator's (it divides by 1 there),
    and the undefined mark is what matters."""
    if z3.is_int_value(b):
        d = b.as_long()
        if d > 0:
            return a / d if op == "//" else a % d
        if d == 0:
            return a if op == "//" else z3.IntVal(0)
    divisor = z3.If(b == 0, z3.IntVal(1), b)
    quotient, remainder = a / divisor, a % divisor  # z3: 0 <= remainder < |divisor|
    corrected = z3.And(divisor < 0, remainder != 0)
    if op == "//":
        return z3.If(corrected, quotient - 1, quotient)
    return z3.If(corrected, remainder + divisor, remainder)
