"""A linear network unrolled over time, and what that view settles before any gradient step.

A linear RNN with an affine readout, started at zero, computes y_t = c_t + sum_k u_{t-k} M_k:
each output is affine in the encoded inputs at every lag and in a one-hot of the position (which
its bias feeds). Seen through those features (`lag_design`), the training data bounds what any
linear network can do. System identification (identify.py) fits them exactly. And where no
affine function of them gets every training output right, no linear network of any size can:
`rules_out_linear` decides that by a linear program, and the search then skips the linear
stage's gradient training, which would fail after hundreds of steps (3.7 to 20 s per task on
the benchmark). It is a necessary condition only: data that passes still trains as before.
"""

from __future__ import annotations

import numpy as np

from mipsdsl.data import Dataset
from mipsdsl.train.encoding import InputEncoding, OutputHead

# Unknowns (lags x input columns, plus the positions) at most: identification's least squares
# holds about 8 * MAX_UNKNOWNS**2 values (64 MB), and larger linear programs run past their time.
MAX_UNKNOWNS = 1000
# Rows of the linear programs, smallest first: a contradiction shows in few rows (an exclusive or
# needs four), and a feasible program's cost grows with its rows.
PROGRAM_ROWS = (256, 1024, 4096)
PROGRAM_SECONDS = 0.3  # per program; one that runs out leaves the stage to train, as before
HALF = 0.5  # a rounded regression is exact only where every error is below half a unit
SLACK = 1e-6  # minimax errors this close to HALF are not taken as proof


def kept_columns(encoding: InputEncoding) -> np.ndarray:
    """The encoded input columns a fit uses: one-hot columns of a channel sum to 1 at every
    position, so one symbol per channel is the reference, its columns left out (weight 0) and
    the position's columns taking its share."""
    keep = np.ones(encoding.dim, dtype=bool)
    if encoding.kind == "onehot":
        keep[np.cumsum([0] + [len(a) for a in encoding.alphabets[:-1]])] = False
    return keep


def lag_design(
    data: Dataset, encoding: InputEncoding, count: int, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows (valid positions of the first `count` sequences) of the kept encoded inputs at every
    lag (zero before the start), then a one-hot of the position; and their integer targets."""
    length = data.x.shape[1]
    u = encoding.encode(data.x[:count]).numpy().astype(np.float64)[..., keep]  # (N, L, in)
    width = u.shape[-1]
    valid = np.arange(length)[None, :] < data.lengths[:count, None]
    lagged = np.zeros((count, length, length, width))  # [sequence, t, lag k, channel]: u_{t-k}
    for k in range(length):
        lagged[:, k:, k] = u[:, : length - k]
    position = np.broadcast_to(np.eye(length), (count, length, length))
    design = np.concatenate([lagged.reshape(count, length, -1), position], axis=-1)[valid]
    return design, data.y[:count][valid]


def rules_out_linear(data: Dataset, encoding: InputEncoding, head: OutputHead) -> bool:
    """True when no linear network, of any size, with this encoding and head is exact on the
    training data: on some set of training rows, no affine function of the lag features puts
    each output's class first (classified) or within half a unit (regressed). False when the
    programs find such a function, run out of time, or would be too large."""
    length = data.x.shape[1]
    keep = kept_columns(encoding)
    if length * (int(keep.sum()) + 1) > MAX_UNKNOWNS:
        return False
    count = min(data.n_train, -(-PROGRAM_ROWS[-1] // length))
    design, targets = lag_design(data, encoding, count, keep)
    contradicted = _inseparable if head.kind == "classify" else _beyond_half
    for rows in PROGRAM_ROWS:
        if any(contradicted(design[:rows], targets[:rows, o]) for o in range(targets.shape[1])):
            return True
        if rows >= len(design):
            break
    return False


def _inseparable(features: np.ndarray, labels: np.ndarray) -> bool:
    """No affine score per class ranks every row's own class first: the program (w_j - w_y) . x
    <= -1, for each row x of class y and each other class j, is infeasible (scores scale, so a
    margin of 1 loses nothing)."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, vstack

    rows = np.unique(np.column_stack([features, labels]), axis=0)
    x, (classes, own) = rows[:, :-1], np.unique(rows[:, -1], return_inverse=True)
    k, width = len(classes), x.shape[1]
    if k < 2:
        return False
    blocks = []
    for j in range(k):
        others = np.flatnonzero(own != j)
        r, c = np.nonzero(x[others])
        v = x[others[r], c]
        columns = np.concatenate([c + j * width, c + own[others[r]] * width])
        values = np.concatenate([v, -v])
        shape = (len(others), k * width)
        blocks.append(csr_matrix((values, (np.concatenate([r, r]), columns)), shape=shape))
    constraints = vstack(blocks)
    result = linprog(
        np.zeros(k * width),
        A_ub=constraints,
        b_ub=-np.ones(constraints.shape[0]),
        bounds=(None, None),
        method="highs",
        options={"time_limit": PROGRAM_SECONDS},
    )
    return result.status == 2  # infeasible


def _beyond_half(features: np.ndarray, values: np.ndarray) -> bool:
    """No affine function is within half a unit of every row's value: the smallest largest error
    (a linear program in the weights and that error) is at least HALF, by more than SLACK."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, hstack, vstack

    rows = np.unique(np.column_stack([features, values]), axis=0)
    x, y = csr_matrix(rows[:, :-1]), rows[:, -1]
    error = csr_matrix(np.ones((len(y), 1)))
    cost = np.zeros(x.shape[1] + 1)
    cost[-1] = 1.0
    result = linprog(  # x.w - e <= y and -x.w - e <= -y
        cost,
        A_ub=vstack([hstack([x, -error]), hstack([-x, -error])]),
        b_ub=np.concatenate([y, -y]),
        bounds=[(None, None)] * x.shape[1] + [(0, None)],
        method="highs",
        options={"time_limit": PROGRAM_SECONDS},
    )
    return result.status == 0 and result.fun >= HALF + SLACK
