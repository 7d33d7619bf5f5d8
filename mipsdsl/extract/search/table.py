"""The inputs of one search, checked and converted to int64 once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

INT = np.int64


@dataclass(frozen=True)
class Table:
    names: list[str]  # the columns' names, in the order given
    columns: list[np.ndarray]
    targets: list[np.ndarray]
    required: list[np.ndarray]  # per target, the rows it must match (bool)
    rows: int

    @classmethod
    def read(
        cls,
        columns: Mapping[str, np.ndarray],
        targets: Sequence[np.ndarray],
        masks: Sequence[np.ndarray | None] | None,
    ) -> Table:
        """The table, or ValueError where the arrays do not line up; no mask means every row."""
        names = list(columns)
        values = [np.asarray(columns[name], dtype=INT) for name in names]
        wanted = [np.asarray(target, dtype=INT) for target in targets]
        shapes = {array.shape for array in values + wanted}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1 or not next(iter(shapes))[0]:
            raise ValueError(f"need 1-D columns and targets of one nonzero length, got {shapes}")
        rows = next(iter(shapes))[0]
        given = [None] * len(wanted) if masks is None else list(masks)
        if len(given) != len(wanted):
            raise ValueError("masks must give one entry (or None) per target")
        required = [np.ones(rows, bool) if m is None else np.asarray(m, dtype=bool) for m in given]
        if any(mask.shape != (rows,) for mask in required):
            raise ValueError("each mask must be a bool array with one entry per row")
        return cls(names, values, wanted, required, rows)
