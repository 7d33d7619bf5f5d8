"""Stand-in networks for extraction tests: a known integer algorithm hidden in some geometry.

Each keeps an integer state s, stores it in a hidden vector through `embed` (plus optional noise),
and reads it back with `decode`: so the test knows the algorithm, while extraction sees only
vectors, exactly as it sees a trained RNN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class StandIn:
    def __init__(
        self,
        update: Callable[[np.ndarray, np.ndarray], np.ndarray],  # (s (B,), x (B, C)) -> s'
        output: Callable[[np.ndarray, np.ndarray], np.ndarray],  # (s_old, x) -> y (B, O)
        embed: Callable[[np.ndarray], np.ndarray],  # s (B,) -> h (B, n)
        decode: Callable[[np.ndarray], np.ndarray],  # h (B, n) -> s (B,)
        initial: int = 0,
        noise: float = 0.0,
        seed: int = 0,
    ):
        self.update, self.output, self.embed, self.decode = update, output, embed, decode
        self.initial, self.noise = initial, noise
        self.rng = np.random.default_rng(seed)

    # The hidden vector holds (state, last output) so that readout needs the vector only.
    def initial_hidden(self) -> np.ndarray:
        return self._vector(np.array([self.initial]), np.zeros((1, 1), dtype=np.int64))[0]

    def step(self, h: np.ndarray, x: np.ndarray) -> np.ndarray:
        s = self.decode(h[:, :-1])
        y = self.output(s, x).reshape(len(s), -1)
        return self._vector(self.update(s, x), y)

    def readout(self, h: np.ndarray) -> np.ndarray:
        return np.rint(h[:, -1:]).astype(np.int64)

    def _vector(self, s: np.ndarray, y: np.ndarray) -> np.ndarray:
        h = self.embed(s).astype(np.float64)
        h = h + self.rng.normal(0.0, self.noise, h.shape) if self.noise else h
        return np.concatenate([h, y[:, :1].astype(np.float64)], axis=1).astype(np.float32)


def circle(k: int, radius: float = 3.0):
    """A mod-k counter's states on a circle, and back."""

    def embed(s):
        angle = 2 * np.pi * s / k
        return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)

    def decode(h):
        return np.rint(np.arctan2(h[:, 1], h[:, 0]) / (2 * np.pi / k)).astype(np.int64) % k

    return embed, decode


def line(scale: float = 1.0):
    """An integer state as a point on a line (unbounded counters)."""
    return (lambda s: scale * s[:, None].astype(np.float64)), (
        lambda h: np.rint(h[:, 0] / scale).astype(np.int64)
    )


class DriftingVote:
    """A 1-unit network voting 1 against 0 the way a trained one does: unequal steps, a gain
    that drifts (so states leave any lattice), right up to the trained length only."""

    def __init__(self, gain: float = 1.01):
        self.gain = gain

    def initial_hidden(self):
        return np.zeros(1)

    def step(self, h, x):
        return self.gain * h + np.where(x == 1, 1.1, -1.3)

    def readout(self, h):
        return (h > 0.05).astype(np.int64)


class PairVote(DriftingVote):
    """Votes on two channels: for where a exceeds b, against where b exceeds a, so that no count
    of one channel's values tells its state."""

    def step(self, h, x):
        a, b = x[:, :1], x[:, 1:]
        return self.gain * h + np.where(a > b, 1.1, np.where(b > a, -1.3, 0.0))


class Brackets:
    """Depth of '(' (0) against ')' (1), stuck at -1 once it goes negative: order matters."""

    def initial_hidden(self):
        return np.zeros(1)

    def step(self, h, x):
        return np.where(h < 0, -1.0, h + np.where(x == 0, 1.0, -1.0))

    def readout(self, h):
        return (h == 0).astype(np.int64)


class RunawayFlag:
    """Seen a 1 yet: once set, the state is held as a value that triples and flips sign at
    every step while the readout stays 1, so the set states spread over tens of thousands."""

    def initial_hidden(self):
        return np.array([0.1])

    def step(self, h, x):
        return np.where(np.abs(h) > 2, -3 * h, np.where(x == 1, 4.0, 0.1)).astype(np.float32)

    def readout(self, h):
        return (np.abs(h) > 2).astype(np.int64)
