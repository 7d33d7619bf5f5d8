"""PySR as an optional regression backend (`--regressor pysr`).

PySR runs its search in Julia, which it installs on first use; where Julia cannot be had (no
network, no `julia` on the PATH) this backend says so and the default exact enumerative search
remains. PySR returns sympy expressions over real numbers; `sympy_to_ir` turns those that are
integer-valued (integer coefficients, `floor` of a quotient, `Mod`, `Abs`, `Min`, `Max`, small
powers) into the IR, and every formula is then checked on every row, as the enumerative ones are.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import sympy

from mipsdsl import expr as E
from mipsdsl.errors import MipsError
from mipsdsl.extract.enumerative import RegressionBudget, RegressionResult

MAX_POWER = 4  # x**k becomes k-1 multiplications up to this k
# sympy's functions that are an IR operator, folded from the left when they take more arguments;
# a commutative one's arguments are sorted first, so that equal expressions convert equally.
_SYMPY_OPERATORS = {
    sympy.Add: "+",
    sympy.Mod: "%",
    sympy.Abs: "abs",
    sympy.Min: "min",
    sympy.Max: "max",
}


class PySRUnavailable(MipsError):
    pass


def unavailable_reason() -> str | None:
    """Why PySR cannot run here, or None when it can."""
    if importlib.util.find_spec("pysr") is None:
        return "PySR is not installed (pip install pysr); it also needs Julia"
    julia = os.environ.get("PYTHON_JULIACALL_EXE") or shutil.which("julia")
    if julia is None and not os.environ.get("JULIA_DEPOT_PATH"):
        return (
            "PySR needs Julia, and no `julia` is on the PATH (PySR would download it, which "
            "needs network access); use the default --regressor enumerative"
        )
    return None


def regress_pysr(
    columns: Mapping[str, np.ndarray],
    targets: Sequence[np.ndarray],
    constants: Iterable[int] = (),
    budget: RegressionBudget = RegressionBudget(),
    masks=None,
) -> RegressionResult:
    """Same contract as `enumerative.regress`: one expression (or None) per target."""
    reason = unavailable_reason()
    if reason is not None:
        raise PySRUnavailable(reason)
    from pysr import PySRRegressor  # imported here: loading it starts Julia

    start = time.perf_counter()
    names = list(columns)
    features = np.column_stack([columns[n] for n in names]).astype(np.float64)
    found = []
    for i, target in enumerate(targets):
        rows = slice(None) if masks is None or masks[i] is None else masks[i]
        model = PySRRegressor(
            binary_operators=["+", "-", "*", "max", "min", "mod"],
            unary_operators=["abs", "floor"],
            maxsize=max(3, budget.max_size),
            timeout_in_seconds=max(1.0, budget.seconds / max(1, len(targets))),
            deterministic=True,
            parallelism="serial",
            random_state=0,
            verbosity=0,
            progress=False,
        )
        model.fit(features[rows], np.asarray(target, dtype=np.float64)[rows], variable_names=names)
        found.append(_exact(model.sympy(), names, columns, target, rows))
    return RegressionResult(tuple(found), 0, time.perf_counter() - start, False)


def _exact(expression, names, columns, target, rows) -> E.Expr | None:
    try:
        candidate = sympy_to_ir(expression, names)
        values = E.evaluate(candidate, columns, (len(target),), 0)
    except (ValueError, E.EvaluationError):
        return None
    return candidate if np.array_equal(values[rows], np.asarray(target)[rows]) else None


def sympy_to_ir(expression, names: Sequence[str]) -> E.Expr:
    """An integer-valued sympy expression over `names` as IR; ValueError for anything else
    (a non-integer constant, a function with no integer meaning)."""
    e = sympy.nsimplify(expression, rational=True) if expression.has(sympy.Float) else expression
    return _convert(sympy.sympify(e), set(names))


def _convert(e, names: set[str]) -> E.Expr:
    if isinstance(e, sympy.Symbol):
        if e.name not in names:
            raise ValueError(f"unknown variable {e.name!r}")
        return E.Var(e.name)
    if e.is_Integer:
        return E.Const(int(e))
    if e.is_Rational:
        raise ValueError(f"non-integer constant {e}")
    if isinstance(e, sympy.floor):
        numerator, denominator = sympy.fraction(sympy.together(e.args[0]))
        if denominator == 1:
            return _convert(numerator, names)
        return E.Binary("//", _convert(numerator, names), _convert(denominator, names))
    for function, op in _SYMPY_OPERATORS.items():
        if isinstance(e, function):
            return _operation(op, e.args, names)
    if isinstance(e, sympy.Mul):
        coefficient, rest = e.as_coeff_Mul()
        if coefficient == -1:
            return E.Unary("neg", _convert(rest, names))
        if not coefficient.is_Integer and coefficient != 1:
            raise ValueError(f"non-integer coefficient {coefficient}")
        return _operation("*", e.args, names)
    if isinstance(e, sympy.Pow):
        base, power = e.args
        if not (power.is_Integer and 1 <= int(power) <= MAX_POWER):
            raise ValueError(f"power {power} has no integer meaning here")
        return E.fold("*", [_convert(base, names)] * int(power))
    raise ValueError(f"{type(e).__name__} has no counterpart in the IR")


def _operation(op: str, args, names: set[str]) -> E.Expr:
    """The IR operator `op` applied to the sympy arguments `args`."""
    if E.OPERATORS[op].commutative:
        args = sorted(args, key=sympy.default_sort_key)
    parts = [_convert(a, names) for a in args]
    return E.Unary(op, parts[0]) if E.OPERATORS[op].arity == 1 else E.fold(op, parts)
