"""Value signatures: how the search tells candidates' value vectors apart without comparing rows.

A vector's signature is a linear hash, h(v) = sum_r v[r] * w[r] (mod 2**64) for fixed random w.
Linearity gives the hashes of `a + b`, `a - b`, `-a` and `if t then a else b` (t 0/1) from the
operands' hashes, h(if t then a else b) = h_{w*t}(a) + h_{w*(1-t)}(b), without touching the rows:
those operators only evaluate the candidates that turn out to be new. Two different vectors with
one hash (odds about n**2 / 2**64) would only drop the later one; no answer is taken on trust,
each match is checked on the values. Rows where a target is don't-care get their own hash column
with w zeroed there, so one lookup tests a candidate against every target.
"""

from __future__ import annotations

import numpy as np

from mipsdsl.extract.search.table import INT

U64 = np.uint64
SEED = 0x4D495053
_NOBODY = np.iinfo(np.int64).max


class Signatures:
    """The weights: column 0 hashes all rows; one more column per distinct partial mask."""

    def __init__(self, rows: int, required: list[np.ndarray], chunk: int):
        self.rows = rows
        self.chunk = chunk
        rng = np.random.default_rng(SEED)
        weights = np.frombuffer(rng.bytes(8 * rows), dtype=U64)
        partial: list[bytes] = []
        self.column_of: list[int] = []  # per target, the hash column that ignores its don't-cares
        for mask in required:
            if mask.all():
                self.column_of.append(0)
                continue
            key = mask.tobytes()
            if key not in partial:
                partial.append(key)
            self.column_of.append(1 + partial.index(key))
        masks = [np.frombuffer(key, dtype=bool) for key in partial]
        self.weights = np.stack([weights] + [weights * m for m in masks], axis=1)

    @property
    def width(self) -> int:
        """Hash columns per signature."""
        return self.weights.shape[1]

    def of(self, values: np.ndarray) -> np.ndarray:
        """(n, width) hashes of the value rows `values` (int64 or bool)."""
        step = max(1, self.chunk // self.rows)
        if len(values) > step:  # bool rows are widened to uint64 on the way: keep that small
            parts = [self.of(values[i : i + step]) for i in range(0, len(values), step)]
            return np.concatenate(parts)
        if values.dtype == INT:
            values = values.view(U64)
        if self.width == 1:
            return (values @ self.weights[:, 0])[:, None]
        return values @ self.weights


class HashSet:
    """Open-addressing set of uint64 hashes, filled a batch at a time (0 marks an empty slot)."""

    def __init__(self):
        self.size = 0
        self._allocate(16)

    def _allocate(self, bits: int):
        self.bits = bits
        self.table = np.zeros(1 << bits, dtype=U64)
        self.owner = np.full(1 << bits, _NOBODY, dtype=np.int64)

    def add(self, hashes: np.ndarray) -> np.ndarray:
        """Insert `hashes`; True where one was not present before, nor earlier in the batch."""
        keys = hashes | U64(1)  # never 0; merging h with h ^ 1 costs 2**-63 of certainty
        while 2 * (self.size + keys.size) > self.table.size:
            old = self.table[self.table != 0]
            self._allocate(self.bits + 1)
            self._insert(old)
        new = self._insert(keys)
        self.size += int(np.count_nonzero(new))
        return new

    def _insert(self, keys: np.ndarray) -> np.ndarray:
        """Linear probing, vectorised: all keys probe together; on a contested empty slot the
        earliest key wins, and equal keys probe in step, so only the first of them is new."""
        table, owner = self.table, self.owner
        wrap = table.size - 1
        slots = (keys >> U64(64 - self.bits)).astype(np.int64)
        new = np.zeros(keys.size, dtype=bool)
        active = np.flatnonzero(table[slots] != keys)  # most keys are old, found at once
        while active.size:
            at = slots[active]
            found = table[at]
            empty = found == 0
            claimants, claimed = active[empty], at[empty]
            np.minimum.at(owner, claimed, claimants)
            won = owner[claimed] == claimants
            owner[claimed] = _NOBODY
            table[claimed[won]] = keys[claimants[won]]
            new[claimants[won]] = True
            clash = ~empty & (found != keys[active])
            slots[active[clash]] = (at[clash] + 1) & wrap
            # losers of a contest look at the same slot again: it now holds the winner's key
            active = np.concatenate([active[clash], claimants[~won]])
        return new
