"""Testing new candidates against the targets not solved yet."""

from __future__ import annotations

import numpy as np

from mipsdsl.extract.search.candidates import Values
from mipsdsl.extract.search.hashing import Signatures
from mipsdsl.extract.search.table import Table


class Targets:
    """Each target's signature on its own rows, and the first candidate found equal to it."""

    def __init__(self, table: Table, signatures: Signatures):
        self.values = table.targets
        self.required = table.required
        self.column = signatures.column_of
        self.wanted = [
            signatures.of(target[None, :])[0, column]
            for target, column in zip(self.values, self.column, strict=True)
        ]
        self.found: list[int | None] = [None] * len(self.values)  # the winners' candidate ids
        self.unsolved = list(range(len(self.values)))

    def match(
        self,
        sig: np.ndarray,
        positions: np.ndarray,
        values: Values,
        first_id: int,
    ):
        """Record the first new candidate equal to each unsolved target (on its rows): the new
        candidates have signatures `sig`, values `values(positions)` and ids from `first_id`."""
        for target in list(self.unsolved):
            column, wanted = self.column[target], self.wanted[target]
            required = self.required[target]
            for hit in np.flatnonzero(sig[:, column] == wanted):
                got = values(positions[hit : hit + 1])[0]
                if np.array_equal(got[required], self.values[target][required]):
                    self.found[target] = first_id + int(hit)
                    self.unsolved.remove(target)
                    break
