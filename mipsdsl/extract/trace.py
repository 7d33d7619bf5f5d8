"""Trace: run a network over inputs from the task's domain and record what it does at every step.

Extraction sees the network and the input domain (alphabet, generator, lengths) only, never the
spec's target: the inputs come from the generator (or from an examples file's `x`, without its
`y`), and the outputs recorded are the network's own.

A network here is anything with `initial_hidden() -> (n,)`, `step(h (B, n), x (B, C)) -> (B, n)`
and `readout(h (B, n)) -> int (B, O)`: `mipsdsl.train.search.TrainedRNN`, or a stand-in in tests.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from mipsdsl.data.dataset import rng_for
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.data.generate import generate_inputs
from mipsdsl.errors import DataError
from mipsdsl.task import Task

# Data streams (see mipsdsl.data.dataset) for extraction's own inputs: never trained on.
TRACE_STREAM, CHECK_STREAM = 6, 7
SHORT_SEQUENCES = 4096  # all input sequences up to the length where there are this many


class Network(Protocol):
    def initial_hidden(self) -> np.ndarray: ...

    def step(self, h: np.ndarray, x: np.ndarray) -> np.ndarray: ...

    def readout(self, h: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class Trace:
    """Inputs x (N, L, C), lengths (N,), the hidden state before every step (N, L, n), after
    it (N, L, n), and the network's integer outputs after it (N, L, O)."""

    x: np.ndarray
    lengths: np.ndarray
    before: np.ndarray
    after: np.ndarray
    outputs: np.ndarray

    @property
    def valid(self) -> np.ndarray:
        return np.arange(self.x.shape[1])[None, :] < self.lengths[:, None]


def run_network(network: Network, x: np.ndarray, lengths: np.ndarray) -> Trace:
    """Step the network through every sequence of x."""
    n, length, _ = x.shape
    h = np.repeat(network.initial_hidden()[None, :].astype(np.float32), n, axis=0)
    before, after, outputs = [], [], []
    for t in range(length):
        before.append(h)
        h = network.step(h, x[:, t])
        after.append(h)
        outputs.append(network.readout(h))
    stack = lambda items: np.stack(items, axis=1)  # noqa: E731
    return Trace(x, lengths, stack(before), stack(after), stack(outputs).astype(np.int64))


def domain_inputs(task: Task, n: int, seed: int, stream: int) -> tuple[np.ndarray, np.ndarray]:
    """n input sequences from the task's domain: its generator, or its examples' x."""
    rng = rng_for(seed, stream)
    if task.examples is None:
        return generate_inputs(task, n, rng, task.length)
    try:
        x, _, lengths = read_examples(Path(task.examples), task.inputs)
    except ExamplesError as exc:
        raise DataError(str(exc)) from None
    pick = rng.choice(len(x), size=min(n, len(x)), replace=False)
    return x[np.sort(pick)], lengths[np.sort(pick)]


def short_inputs(task: Task) -> tuple[np.ndarray, np.ndarray]:
    """Every input sequence of the longest length L with at most SHORT_SEQUENCES of them, so
    that every state the network reaches within L steps is seen, whatever the generator."""
    alphabets = [c.values for c in task.inputs]
    symbols = math.prod(len(a) for a in alphabets)
    length = min(task.max_length, int(math.log(SHORT_SEQUENCES) / math.log(max(symbols, 2))))
    if length < 1:
        return np.zeros((0, 1, len(alphabets)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    per_step = list(itertools.product(*alphabets))
    words = list(itertools.product(per_step, repeat=length))
    x = np.asarray(words, dtype=np.int64).reshape(len(words), length, len(alphabets))
    return x, np.full(len(words), length, dtype=np.int64)


def trace(network: Network, task: Task, n: int, seed: int, stream: int = TRACE_STREAM) -> Trace:
    """The network run over n domain sequences, plus every short sequence: a machine read from
    the trace must reproduce all of them, and one checked on the check stream too (a rare prefix,
    such as five '(' in a row, decides how many states a machine needs)."""
    x, lengths = domain_inputs(task, n, seed, stream)
    if task.examples is None:
        short_x, short_lengths = short_inputs(task)
        if len(short_x):
            padded = np.zeros((len(short_x), x.shape[1], x.shape[2]), dtype=np.int64)
            padded[:, : short_x.shape[1]] = short_x
            x = np.concatenate([padded, x])
            lengths = np.concatenate([short_lengths, lengths])
    return run_network(network, x, lengths)
