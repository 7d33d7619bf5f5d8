"""Exact training of a linear network by system identification, before any gradient step.

A linear RNN with an affine readout computes y_t = c_t + sum_k u_{t-k} M_k: its outputs are a
convolution of the encoded inputs with its Markov parameters M_k = B A^k C, plus an offset per
position that its bias feeds. When the training data is exactly of that form, least squares
recovers the M_k and offsets, and the Ho-Kalman realisation (an SVD of their Hankel matrix)
turns them into (A, B, C) of the smallest order any linear network of that form can have: the
rank of the Hankel matrix. Gradient descent gets there too, but a rounded regression needs every
error under half a unit, which it reaches slowly or, on growing sums such as newton_magnetic, not
at all; and it needs passes over smaller sizes to find the smallest network, which a rank gives.

The weights come from the training data alone (the spec only labelled it), and the network is
confirmed like any other before it is used. Where the data is not exactly linear, or its length
cannot pin the realisation down, this returns nothing and gradient training runs as before.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from mipsdsl.data import Dataset
from mipsdsl.task import Task
from mipsdsl.train.encoding import InputEncoding, OutputHead, make_input_encoding
from mipsdsl.train.model import Architecture, BatchedRNN
from mipsdsl.train.options import MAX_ONEHOT, Stage, TrainConfig
from mipsdsl.train.trainer import AttemptResult, accuracy_on, confirm, held_out_split
from mipsdsl.train.unrolled import MAX_UNKNOWNS, kept_columns, lag_design

FIT_SEQUENCES = 4096  # training sequences the convolution is fitted on, at most
ROWS_PER_UNKNOWN = 8  # at least this many fitted positions per unknown of the least squares
EXACT = 1e-7  # largest residual (in scaled target units) of data that is exactly linear
RANK_TOLERANCE = 1e-7  # singular values below this share of the largest are zero


def identify(
    task: Task,
    data: Dataset,
    stage: Stage,
    encoding: InputEncoding,
    head: OutputHead,
    config: TrainConfig,
    seed: int,
    device: str = "cpu",
) -> tuple[AttemptResult, InputEncoding] | None:
    """The smallest linear network that fits the training data exactly, confirmed as gradient
    training's winners are, and the input encoding it reads; None when there is none of the
    stage's sizes or it fails to confirm.

    Raw inputs are tried first; then, for alphabets small enough, one-hot inputs, with which a
    linear network sums any function of each symbol (a running sum of x * x, a score per
    symbol), not only multiples of its value."""
    if stage.depth != 1 or head.kind != "regress":
        return None
    started = time.perf_counter()
    encodings = [encoding]
    if encoding.kind == "raw" and all(len(a) <= MAX_ONEHOT for a in encoding.alphabets):
        encodings.append(make_input_encoding(task, "onehot"))
    held_out = held_out_split(data)
    quick = tuple(part[: config.eval_size] for part in held_out)
    for tried in encodings:
        model = _network(data, tried, head, stage, seed, device)
        if model is None:
            continue
        result = AttemptResult(model.archs, [seed], 0, 0.0, [0.0])
        acc = accuracy_on(model, tried, head, *quick)
        result.accuracy = acc.tolist()
        confirm(task, model, tried, head, acc, held_out, config, result)
        result.seconds = time.perf_counter() - started
        if result.solved:
            return result, tried
    return None


def _network(data, encoding, head, stage, seed: int, device: str) -> BatchedRNN | None:
    """The realised linear network for this encoding, if the data is exactly a linear network's
    and its order is one of the stage's sizes."""
    fit = _fit_convolution(data, encoding, head)
    if fit is None:
        return None
    system = _realise(*fit)
    if system is None:
        return None
    a, b, c, d = system
    if a.shape[0] not in stage.hidden:
        return None
    model = BatchedRNN(
        [Architecture(a.shape[0], 1, 0, encoding.kind, head.kind)], [seed], encoding.dim, head.dim
    ).to(device)
    with torch.no_grad():
        weights = np.concatenate([a, b[:-1]])[None]  # f's rows: the hidden units, then the inputs
        model.f_weights[0].copy_(torch.from_numpy(weights).float())
        model.f_biases[0].copy_(torch.from_numpy(b[-1:][None]).float())
        model.g_weights[0].copy_(torch.from_numpy(c[None]).float())
        model.g_biases[0].copy_(torch.from_numpy(d.reshape(1, 1, -1)).float())
    return model


def _fit_convolution(
    data: Dataset, encoding: InputEncoding, head: OutputHead
) -> tuple[np.ndarray, np.ndarray] | None:
    """Least squares of the scaled targets on the encoded inputs at every lag and a one-hot of
    the position: Markov parameters (L, in, out) and offsets (L, out), or None when the fit
    leaves a residual (the data is not exactly a linear network's) or has too many unknowns."""
    length = data.x.shape[1]
    keep = kept_columns(encoding)
    width = int(keep.sum())
    unknowns = length * (width + 1)
    if unknowns > MAX_UNKNOWNS:
        return None
    count = min(data.n_train, FIT_SEQUENCES, max(1, -(-ROWS_PER_UNKNOWN * unknowns // length)))
    count = max(count, min(data.n_train, 256))
    design, integers = lag_design(data, encoding, count, keep)
    targets = integers.astype(np.float64) / np.asarray(head.scales, dtype=np.float64)
    solution, _, rank, _ = np.linalg.lstsq(design, targets, rcond=None)
    if rank < design.shape[1]:
        return None  # too few or too alike sequences to tell every lag apart
    if np.abs(design @ solution - targets).max(initial=0.0) > EXACT:
        return None
    markov = np.zeros((length, encoding.dim, targets.shape[1]))
    markov[:, keep] = solution[: length * width].reshape(length, width, -1)
    return markov, solution[length * width :]


def _realise(
    markov: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The smallest (A, [B; b], C, d) in the model's row form, h_t = h_{t-1} A + u_t B + b and
    y_t = h_t C + d, whose Markov parameters and offsets are the given ones at every fitted lag;
    None when no Hankel rank settles within the length (the length does not determine it).

    The bias is an input that is always 1, with Markov parameters e_k = c_{k+1} - c_k (e_0 = c_1
    - d). The readout's bias d is free; the start offset or none is taken, whichever needs fewer
    units."""
    found = []
    for d in (np.zeros_like(offsets[0]), offsets[0]):
        steps = np.diff(np.concatenate([d[None], offsets]), axis=0)  # e_0 .. e_{L-1}
        extended = np.concatenate([markov, steps[:, None, :]], axis=1)  # (L, in + 1, out)
        system = _ho_kalman(extended)
        if system is not None:
            found.append((*system, d))
    return min(found, key=lambda s: s[0].shape[0]) if found else None


def _ho_kalman(markov: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(A, B, C) with B A^k C = markov[k] at every lag, of the smallest order the lags determine.

    The order is the rank of a Hankel matrix of r by s blocks, r + s lags in all, where adding a
    block row or column keeps the rank: then that minimal realisation is the only one (Kalman's
    condition for partial realisations), and a network of fewer units cannot fit the lags."""
    length, rows, cols = markov.shape
    scale = max(np.abs(markov).max(initial=0.0), 1e-12)
    for r in range(1, length):
        s = length - r
        n = _rank(_hankel(markov, r, s), scale)
        u, singular, vt = np.linalg.svd(_hankel(markov, r + 1, s))
        if n == 0 or n != _count_above(singular, scale):
            continue
        if n != _rank(_hankel(markov, r, s + 1), scale):
            continue
        root = np.sqrt(singular[:n])
        observe = u[:, :n] * root  # block rows B A^i
        control = root[:, None] * vt[:n]  # block columns A^j C
        a = np.linalg.lstsq(observe[:-rows], observe[rows:], rcond=None)[0]
        b, c = observe[:rows], control[:, :cols]
        power, ok = np.eye(n), True
        for lag in range(length):
            ok = ok and np.abs(b @ power @ c - markov[lag]).max() <= 1e-6 * scale
            power = power @ a
        if ok:
            return a, b, c
    return None


def _hankel(markov: np.ndarray, r: int, s: int) -> np.ndarray:
    """Blocks markov[i + j] for i < r, j < s."""
    return np.block([[markov[i + j] for j in range(s)] for i in range(r)])


def _rank(matrix: np.ndarray, scale: float) -> int:
    return _count_above(np.linalg.svd(matrix, compute_uv=False), scale)


def _count_above(singular: np.ndarray, scale: float) -> int:
    """The numerical rank: singular values above RANK_TOLERANCE of the lags' scale."""
    return int((singular > RANK_TOLERANCE * scale).sum())
