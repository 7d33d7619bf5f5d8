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
# A linear threshold's weights: the linear program's, times each of these, rounded; larger
# weights would make a formula no reader takes for the rule it is
THRESHOLD_SCALES = (1, 2, 3, 4)
MAX_THRESHOLD_WEIGHT = 8
THRESHOLD_SECONDS = 1.0  # time limit of the linear program


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


def linear_threshold(columns: Mapping[str, np.ndarray], target: np.ndarray) -> E.Expr | None:
    """For a 0/1 target, a comparison `positive terms >= negative terms + b` with small integer
    weights that equals it on every row (a majority of one pair of symbols over another), or
    None. The weights come from the linear program for separating weights of least total size
    with a margin of 1, which an integer rule has, scaled and rounded."""
    from scipy.optimize import linprog

    names = list(columns)
    target = np.asarray(target, dtype=np.int64)
    if not names or set(np.unique(target).tolist()) != {0, 1}:
        return None
    table = np.column_stack([columns[name] for name in names]).astype(np.int64)
    k = len(names)
    signs = np.where(target == 1, -1.0, 1.0)[:, None]  # one row: s * (w . c - b) <= -[y == 0]
    design = signs * np.column_stack([table, -table, -np.ones(len(target))])
    result = linprog(  # weights w = plus - minus, both >= 0, and the threshold b
        np.concatenate([np.ones(2 * k), [0.0]]),
        A_ub=design,
        b_ub=-(target == 0).astype(np.float64),
        bounds=[(0, None)] * (2 * k) + [(None, None)],
        method="highs",
        options={"time_limit": THRESHOLD_SECONDS},
    )
    if result.status != 0:
        return None
    weights = result.x[:k] - result.x[k : 2 * k]
    for scale in THRESHOLD_SCALES:
        rounded = np.rint(weights * scale).astype(np.int64)
        if not rounded.any() or np.abs(rounded).max() > MAX_THRESHOLD_WEIGHT:
            continue
        scores = table @ rounded
        threshold = int(scores[target == 1].min())
        if np.array_equal(scores >= threshold, target == 1):
            return _comparison(names, rounded, threshold)
    return None


def _comparison(names: list[str], weights: np.ndarray, threshold: int) -> E.Expr:
    """`sum(w_i * names_i) >= threshold`, written with the negative terms on the right."""
    positive = {n: int(w) for n, w in zip(names, weights, strict=True) if w > 0}
    negative = {n: -int(w) for n, w in zip(names, weights, strict=True) if w < 0}
    left = _expression(list(positive), np.array(list(positive.values()) + [0]))
    if threshold > 0 and negative:  # P >= N + 1 reads P > N
        threshold -= 1
        operator = ">"
    else:
        operator = ">="
    right = _expression(list(negative), np.array(list(negative.values()) + [threshold]))
    return E.Binary(operator, left, right)


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
