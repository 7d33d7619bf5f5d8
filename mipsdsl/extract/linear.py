"""Integer linear regression: target = sum of integer coefficients times columns, plus a constant.

A linear RNN moves along its lattice linearly, so its state updates and a regression head's
outputs are exactly integer-linear in the lattice coordinates and the inputs. Least squares over
the reals then rounding is not enough when columns are collinear on the table (a register that
always equals the input it copied): the minimum-norm solution splits the weight. So subsets of the
columns are tried smallest first, and the first whose rounded solution reproduces every row wins:
the sparsest exact formula.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from mipsdsl import expr as E

MAX_COLUMNS = 12  # 2**12 subsets at most
MAX_COEFFICIENT = 1 << 20


def integer_linear(columns: Mapping[str, np.ndarray], target: np.ndarray) -> E.Expr | None:
    """The sparsest `c0 + sum(c_i * column_i)` with integer c equal to target on every row."""
    names = list(columns)
    if len(names) > MAX_COLUMNS:
        return None
    target = np.asarray(target, dtype=np.int64)
    ones = np.ones(len(target), dtype=np.int64)
    for size in range(len(names) + 1):
        for subset in itertools.combinations(range(len(names)), size):
            matrix = np.column_stack([columns[names[i]] for i in subset] + [ones])
            solution = np.linalg.lstsq(matrix.astype(np.float64), target, rcond=None)[0]
            coefficients = np.rint(solution).astype(np.int64)
            if np.abs(coefficients).max() > MAX_COEFFICIENT:
                continue
            exact = matrix.astype(np.int64) @ coefficients
            if np.array_equal(exact, target) and (size == 0 or coefficients[:-1].all()):
                return _expression([names[i] for i in subset], coefficients)
    return None


def _expression(names: list[str], coefficients: np.ndarray) -> E.Expr:
    terms: list[E.Expr] = []
    for name, c in zip(names, coefficients[:-1], strict=True):
        c = int(c)
        var = E.Var(name)
        if c == 1:
            terms.append(var)
        else:
            terms.append(E.Unary("neg", var) if c == -1 else E.Binary("*", E.Const(c), var))
    constant = int(coefficients[-1])
    if not terms:
        return E.Const(constant)
    total = terms[0]
    for term in terms[1:]:
        total = E.Binary("+", total, term)
    return E.Binary("+", total, E.Const(constant)) if constant else total
