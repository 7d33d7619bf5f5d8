"""Input sequences from a task's generator: uniform or weighted i.i.d. parts, palindromes,
concatenations of parts, variable lengths, and removal of duplicate sequences. All vectorised."""

from __future__ import annotations

import math

import numpy as np

from mipsdsl.errors import DataError
from mipsdsl.task import GeneratorPart, InputChannel, Task

MAX_DISTINCT_ROUNDS = 50


def generate_inputs(
    task: Task, n: int, rng: np.random.Generator, length: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Return x of shape (n, max length, channels), zero past each end, and the lengths."""
    if not task.generator.distinct:
        return _draw(task, n, rng, length)
    space = _sequence_count_bound(task, length)
    if space is not None and n > space:
        raise DataError(
            f"only {space} distinct input sequences exist; cannot draw {n} without duplicates"
        )
    x, lengths = _draw(task, n, rng, length)
    x, lengths = _first_occurrences(x, lengths)
    for _ in range(MAX_DISTINCT_ROUNDS):
        if len(x) >= n:
            return x[:n], lengths[:n]
        more_x, more_lengths = _draw(task, 2 * (n - len(x)) + 16, rng, length)
        x, lengths = _first_occurrences(
            np.concatenate([x, more_x]), np.concatenate([lengths, more_lengths])
        )
    raise DataError(
        f"found only {len(x)} distinct sequences after {MAX_DISTINCT_ROUNDS} rounds; "
        f"the generator cannot give {n} without duplicates"
    )


def _sequence_count_bound(task: Task, length: tuple[int, int]) -> int | None:
    """How many distinct sequences a uniform generator can produce (None if not uniform)."""
    if not task.generator.is_uniform:
        return None
    per_position = math.prod(len(c.values) for c in task.inputs)
    return sum(per_position**k for k in range(length[0], length[1] + 1))


def _first_occurrences(x: np.ndarray, lengths: np.ndarray):
    rows = np.ascontiguousarray(np.concatenate([lengths[:, None], x.reshape(len(x), -1)], axis=1))
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first = np.unique(keys, return_index=True)  # one byte-string key per row: fast to sort
    keep = np.sort(first)
    return x[keep], lengths[keep]


def _draw(task: Task, n: int, rng: np.random.Generator, length: tuple[int, int]):
    lo, hi = length
    lengths = rng.integers(lo, hi + 1, size=n) if lo < hi else np.full(n, hi, dtype=np.int64)
    lengths = lengths.astype(np.int64)
    positions = np.arange(hi)[None, :]
    x = np.zeros((n, hi, len(task.inputs)), dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    for part in task.generator.parts:
        if part.length is None:
            size = lengths - start
        else:
            size = rng.integers(part.length[0], part.length[1] + 1, size=n)
        size = np.clip(np.minimum(size, lengths - start), 0, None)
        inside = (positions >= start[:, None]) & (positions < (start + size)[:, None])
        values = _part_values(part, task.inputs, rng, n, hi, start, size)
        x = np.where(inside[..., None], values, x)
        start = start + size
    return x, lengths


def _part_values(
    part: GeneratorPart, inputs: tuple[InputChannel, ...], rng, n, length, start, size
):
    """Values for the whole (n, length, channels) grid; the caller keeps the part's stretch."""
    if part.kind == "weighted":
        codes = np.array([c for c, _ in part.weights], dtype=np.int64)
        weights = np.array([w for _, w in part.weights], dtype=float)
        return rng.choice(codes, size=(n, length, len(inputs)), p=weights / weights.sum())
    columns = []
    for channel in inputs:
        alphabet = np.asarray(channel.values, dtype=np.int64)
        columns.append(alphabet[rng.integers(0, len(alphabet), size=(n, length))])
    values = np.stack(columns, axis=-1)
    if part.kind == "uniform":
        return values
    # palindrome: position start+j mirrors start+(size-1-j), so read the first half twice.
    offset = np.arange(length)[None, :] - start[:, None]
    mirrored = np.minimum(offset, size[:, None] - 1 - offset)
    source = np.clip(start[:, None] + mirrored, 0, length - 1)
    return np.take_along_axis(values, source[..., None].repeat(len(inputs), axis=-1), axis=1)
