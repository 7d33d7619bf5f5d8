"""Exact enumerative integer regression: the smallest IR expression that reproduces a table.

The search is bottom-up by size (IR node count) with observational-equivalence pruning: of all
expressions with the same values on every row of the table only the first one enumerated is kept,
so each size is built only from the distinct value vectors of the smaller sizes. Candidates live as
rows of 2-D int64 arrays (one per size) plus back-pointers; `Expr` trees are rebuilt only for the
winners. Value vectors are told apart by their hashes (`mipsdsl.extract.search.hashing`).

This module holds the contract (`regress`, its budget and result) and the driver that runs the
phases of `mipsdsl.extract.search` and ends the search when the budget is spent.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.search.candidates import CandidateStore, Children, Level, Values
from mipsdsl.extract.search.grammar import leaves
from mipsdsl.extract.search.growth import Growth
from mipsdsl.extract.search.hashing import HashSet, Signatures
from mipsdsl.extract.search.rebuild import rebuild
from mipsdsl.extract.search.table import Table
from mipsdsl.extract.search.targets import Targets

# Read at the start of each search, so that tests can shrink them:
_CHUNK = 2**20  # elements in one broadcast operation: bounded memory that stays in cache
# Values of the sizes still to be combined are kept in memory; on wide tables (thousands of rows)
# this, not max_candidates, is what runs out first, and it ends the search like the clock does.
_MAX_STORED_BYTES = 2**29

# Candidate values computed per second (one per table row and candidate, duplicates included) on
# the reference machine, this project's 2-core box (`benchmarks/regress.py` measures the rate as
# median_work_per_second): what turns a budget in seconds into work.
WORK_PER_SECOND = 60_000_000
WALL_FACTOR = 4  # the clock ends a search only past this many times its nominal seconds


@dataclass(frozen=True)
class RegressionBudget:
    """Limits of one search. `seconds` is nominal: the search computes at most
    seconds * WORK_PER_SECOND candidate values, so that its answer does not depend on how fast or
    how loaded the machine is; the wall clock stops it only at WALL_FACTOR times that."""

    max_size: int = 9  # largest expression, counted in IR nodes
    seconds: float = 5.0  # nominal seconds of work for one search
    max_candidates: int = 5_000_000  # distinct value vectors kept at most

    @property
    def work(self) -> int:
        return int(self.seconds * WORK_PER_SECOND)


@dataclass(frozen=True)
class RegressionResult:
    expressions: tuple[E.Expr | None, ...]  # one per target, None = not found within budget
    candidates: int  # distinct candidate value vectors generated
    seconds: float
    # True unless the budget cut the search short, so that every None above means "no formula up
    # to max_size"; also True when all targets were solved before max_size was reached.
    exhausted: bool
    work: int = 0  # candidate values computed (rows times candidates, duplicates included)


def regress(
    columns: Mapping[str, np.ndarray],
    targets: Sequence[np.ndarray],
    constants: Iterable[int] = (),
    budget: RegressionBudget = RegressionBudget(),
    masks: Sequence[np.ndarray | None] | None = None,
) -> RegressionResult:
    """The smallest expression over `columns` equal to each target (on its mask's rows).

    Leaves are the columns (in the order given), then the constants 0, 1, 2, -1 and `constants`.
    An expression qualifies only if it is defined on every row of the table (no division or
    modulo by zero anywhere) and all its intermediate values stay within |v| < 2**31. Among
    expressions of the smallest size, the first in a fixed enumeration order wins, so equal
    inputs give equal answers.
    """
    if not targets:
        return RegressionResult((), candidates=0, seconds=0.0, exhausted=True)
    return _Search(columns, targets, constants, budget, masks).run()


class _Stop(Exception):
    """Ends the enumeration: all targets solved, or the budget is spent."""

    def __init__(self, complete: bool):
        super().__init__()
        self.complete = complete


class _Search:
    """One search: grows the sizes in order, passing each chunk of candidates through
    deduplication, the target tests and the store, until the targets or the budget run out."""

    def __init__(
        self,
        columns: Mapping[str, np.ndarray],
        targets: Sequence[np.ndarray],
        constants: Iterable[int],
        budget: RegressionBudget,
        masks: Sequence[np.ndarray | None] | None,
    ):
        self.start = time.perf_counter()
        self.budget = budget
        self.max_stored_bytes = _MAX_STORED_BYTES
        self.table = Table.read(columns, targets, masks)
        self.leaves = leaves(self.table.names, constants)
        signatures = Signatures(self.table.rows, self.table.required, _CHUNK)
        self.targets = Targets(self.table, signatures)
        self.seen = HashSet()
        self.store = CandidateStore(signatures)
        self.growth = Growth(signatures, _CHUNK, self)
        self.work = 0  # candidate values computed so far, duplicates included

    def run(self) -> RegressionResult:
        complete = True
        try:
            if self.targets.unsolved:
                self._enumerate()
        except _Stop as stop:
            complete = stop.complete
        return RegressionResult(
            expressions=rebuild(self.store, self.leaves, self.targets.found),
            candidates=self.store.count,
            seconds=time.perf_counter() - self.start,
            exhausted=complete,
            work=self.work,
        )

    def _enumerate(self) -> None:
        max_size = self.budget.max_size
        levels: dict[int, Level] = {}
        self.store.keep_values = max_size > 1
        constants = [leaf.value for leaf in self.leaves if isinstance(leaf, E.Const)]
        self.growth.leaves(self.table.columns, constants)
        if self.store.keep_values:
            levels[1] = self.store.close_level()
        for size in range(2, max_size + 1):
            self.store.keep_values = size < max_size  # the largest size is never an operand
            self.growth.of_size(levels, size)
            if self.store.keep_values:
                levels[size] = self.store.close_level()

    def tick(self):
        """Stop once the work budget is spent, or the wall clock is far past its nominal time."""
        if self.work > self.budget.work:
            raise _Stop(complete=False)
        if time.perf_counter() - self.start > WALL_FACTOR * self.budget.seconds:
            raise _Stop(complete=False)

    def offer(
        self, op: str, sig: np.ndarray, valid: np.ndarray | None, children: Children, values: Values
    ):
        """Keep the candidates of one chunk whose values are new, and test them on the targets.

        `sig` holds the chunk's hashes in enumeration order, `valid` marks the usable ones;
        `children(positions)` gives their operands' ids and `values(positions)` their values.
        """
        self.work += len(sig) * self.table.rows
        positions = np.arange(len(sig)) if valid is None else np.flatnonzero(valid)
        if not positions.size:
            return
        positions = positions[self.seen.add(sig[positions, 0])]
        if not positions.size:
            return
        room = self.budget.max_candidates - self.store.count
        truncated = positions.size > room
        positions = positions[:room]
        sig = sig[positions]
        self.targets.match(sig, positions, values, first_id=self.store.count)
        self.store.add(op, positions, sig, children, values)
        if not self.targets.unsolved:
            raise _Stop(complete=True)
        if truncated or self.store.stored_bytes > self.max_stored_bytes:
            raise _Stop(complete=False)
