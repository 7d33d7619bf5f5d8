"""The `Dataset` value and the one function that makes it from a `Task`.

Randomness comes from `numpy.random.default_rng(SeedSequence([seed, stream]))` and nothing else,
so the same task, size, seed and stream give the same data whatever else runs in the process.
Stream 0 is the training/test data; other stages (verification) ask for other streams so that
their sequences are fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mipsdsl import atomic
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.data.generate import generate_inputs
from mipsdsl.data.label import label
from mipsdsl.errors import DataError
from mipsdsl.task import Task


@dataclass(frozen=True, eq=False)
class Dataset:
    x: np.ndarray  # (N, L, input channels) int64
    y: np.ndarray  # (N, L, output channels) int64; 0 past a sequence's end
    lengths: np.ndarray  # (N,) int64
    n_train: int

    @property
    def mask(self) -> np.ndarray:
        """(N, L) bool: which positions belong to their sequence."""
        return np.arange(self.x.shape[1])[None, :] < self.lengths[:, None]

    def __len__(self) -> int:
        return self.x.shape[0]


MAX_DATA_ELEMENTS = 1 << 31  # sequences * length * channels held in memory at once


def check_size(n: int, length: int, channels: int) -> None:
    """Refuse data sets too large to hold in memory, before allocating anything."""
    if n < 1:
        raise DataError("the number of sequences must be at least 1")
    elements = n * length * channels
    if elements > MAX_DATA_ELEMENTS:
        raise DataError(
            f"{n:,} sequences of length {length} hold {elements:,} values, more than the "
            f"{MAX_DATA_ELEMENTS:,} this tool keeps in memory"
        )


# Peak bytes per value (sequences * length * channels) while generating and labelling: 14 to 37
# measured on benchmark specs (x, the labels and their temporaries are int64 arrays alike).
BYTES_PER_VALUE = 40
MAX_DATA_BYTES = 8 << 30  # what one `mipsc data` run may take, so that a laptop survives it


def check_memory(n: int, length: int, channels: int) -> None:
    """Refuse data whose generation would need more than `MAX_DATA_BYTES`, with an estimate.

    `check_size` bounds the values kept; this bounds what building them takes at its peak.
    """
    check_size(n, length, channels)
    needed = n * length * channels * BYTES_PER_VALUE
    if needed > MAX_DATA_BYTES:
        raise DataError(
            f"{n:,} sequences of length {length} need about {needed / 2**30:.1f} GiB of memory "
            f"to generate, more than the {MAX_DATA_BYTES >> 30} GiB allowed"
        )


def rng_for(seed: int, stream: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stream]))


def make_dataset(
    task: Task,
    n: int | None = None,
    seed: int | None = None,
    length: int | None = None,
    stream: int = 0,
) -> Dataset:
    """Generate and label `n` sequences (default: the spec's data size and seed).

    `length` replaces the spec's length, for testing how a program generalises.
    """
    n = task.data.size if n is None else n
    seed = task.data.seed if seed is None else seed
    max_length = task.max_length if length is None else length
    check_size(n, max_length, len(task.inputs) + len(task.outputs))
    rng = rng_for(seed, stream)
    if task.examples is not None:
        if length is not None:
            raise DataError("the lengths of an 'examples' task are those of its data file")
        x, y, lengths = _sample_examples(task, Path(task.examples), n, rng)
    else:
        length_range = task.length if length is None else (length, length)
        x, lengths = generate_inputs(task, n, rng, length_range)
        y = label(task, x, lengths)
    return Dataset(x, y, lengths, n_train=int(round(n * task.data.train_fraction)))


def _sample_examples(task: Task, path: Path, n: int, rng: np.random.Generator):
    try:
        x, y, lengths = read_examples(path, task.inputs)
    except ExamplesError as exc:
        raise DataError(str(exc)) from None
    if n > x.shape[0]:
        raise DataError(f"the examples file holds {x.shape[0]} sequences; cannot draw {n}")
    pick = np.sort(rng.permutation(x.shape[0])[:n])
    return x[pick], y[pick], lengths[pick]


def save_dataset(dataset: Dataset, path: str | Path) -> None:
    """Write x, y and lengths as int64 arrays to an .npz file, atomically."""
    with atomic.replacing(path) as handle:
        np.savez_compressed(handle, x=dataset.x, y=dataset.y, lengths=dataset.lengths)


def load_dataset(path: str | Path, task: Task) -> Dataset:
    """Read an .npz written by `save_dataset` (or by hand) for `task`'s inputs."""
    try:
        x, y, lengths = read_examples(Path(path), task.inputs)
    except ExamplesError as exc:
        raise DataError(str(exc)) from None
    return Dataset(x, y, lengths, n_train=int(round(len(x) * task.data.train_fraction)))
