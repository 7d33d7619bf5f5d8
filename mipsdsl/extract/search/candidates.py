"""The kept candidates: rows of 2-D arrays plus back-pointers, grouped by size into operands.

A candidate's id is its position in the order it was kept. Every candidate keeps its operator
and operands' ids (enough to rebuild it); the values of a size are kept only while larger sizes
still take it as an operand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mipsdsl.extract.search.grammar import CODE
from mipsdsl.extract.search.hashing import U64, Signatures
from mipsdsl.extract.search.table import INT

# What an operator hands over with a chunk of candidates: functions of positions in the chunk.
Children = Callable[[np.ndarray], tuple[np.ndarray, ...]]  # the operands' ids
Values = Callable[[np.ndarray], np.ndarray]  # the value rows


@dataclass
class Operand:
    """Candidates of one size (or a subset of them) offered to an operator."""

    ids: np.ndarray  # global candidate ids, ascending
    sig: np.ndarray  # (n, K) hashes
    lo: np.ndarray  # smallest value of each candidate
    hi: np.ndarray  # largest value
    source: np.ndarray  # value rows, shared with the level: int64, or bool truth patterns
    picks: np.ndarray | None = None  # the rows of `source` that are this subset's; None: all

    def rows(self, index: slice | np.ndarray) -> np.ndarray:
        """Values of the candidates at `index`."""
        return self.source[index] if self.picks is None else self.source[self.picks[index]]

    def subset(self, picks: np.ndarray) -> Operand:
        """Some candidates of a whole level, without copying their values."""
        return Operand(
            self.ids[picks], self.sig[picks], self.lo[picks], self.hi[picks], self.source, picks
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Level:
    """All distinct candidates of one size, and the subsets that some operators take."""

    every: Operand
    divisors: Operand  # no zero on any row
    tests: Operand  # 0/1 and not constant: conditions for `if`
    truths: Operand  # one candidate per distinct pattern of nonzero rows, as bool values


class CandidateStore:
    """Every kept candidate's operator and operands, and the current size's values."""

    def __init__(self, signatures: Signatures):
        self.signatures = signatures
        self.count = 0  # candidates kept so far; also the next candidate's id
        self.ops: list[np.ndarray] = []  # per kept chunk, each candidate's code in `OPS`
        self.children: list[np.ndarray] = []  # per kept chunk, (n, 3) operand ids, -1 for none
        self.keep_values = True  # whether the current size is an operand of larger ones
        self.stored_bytes = 0  # of the values kept, for the memory limit
        self._pending: list[tuple[np.ndarray, ...]] = []  # the current size's kept chunks

    def add(
        self,
        op: str,
        positions: np.ndarray,
        sig: np.ndarray,
        children: Children,
        values: Values,
    ):
        """Keep the candidates at `positions` of a chunk (their signatures `sig`); `children` and
        `values` give, for positions, their operands' ids and their values."""
        ids = np.full((positions.size, 3), -1, dtype=np.int64)
        for column, child in enumerate(children(positions)):
            ids[:, column] = child
        self.ops.append(np.full(positions.size, CODE[op], dtype=np.int8))
        self.children.append(ids)
        if self.keep_values:  # with what later operators need to know of each candidate
            kept = values(positions).astype(INT, copy=False)
            truth = kept != 0
            lo, hi = kept.min(axis=1), kept.max(axis=1)
            truth_hash = self.signatures.of(truth)[:, 0]
            self._pending.append((kept, sig, lo, hi, truth.all(axis=1), truth_hash))
            self.stored_bytes += kept.nbytes
        self.count += positions.size

    def close_level(self) -> Level:
        """Gather the candidates kept since the last level into the operands of later sizes."""
        rows, width = self.signatures.rows, self.signatures.width
        empty = (
            np.zeros((0, rows), INT),
            np.zeros((0, width), U64),
            *(np.zeros(0, dtype) for dtype in (INT, INT, bool, U64)),
        )
        parts = zip(empty, *self._pending, strict=True)
        values, sig, lo, hi, zero_free, truth_hash = (np.concatenate(part) for part in parts)
        self._pending = []
        ids = np.arange(self.count - len(values), self.count)
        every = Operand(ids, sig, lo, hi, values)
        _, first = np.unique(truth_hash, return_index=True)
        patterns = np.sort(first)
        return Level(
            every=every,
            divisors=every.subset(np.flatnonzero(zero_free)),
            tests=every.subset(np.flatnonzero((lo == 0) & (hi == 1))),
            truths=Operand(
                ids[patterns], sig[patterns], lo[patterns], hi[patterns], values[patterns] != 0
            ),
        )
