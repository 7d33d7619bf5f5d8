"""What every extraction path reads (`Context`) and what it returns (`Extraction`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mipsdsl.extract.assemble import Formulas
from mipsdsl.extract.trace import Network, Trace


@dataclass(frozen=True)
class Regression:
    """The formula search's budget: nominal seconds of work, IR nodes per formula, and the
    search itself (with the contract of `enumerative.regress`)."""

    seconds: float
    max_size: int
    regressor: Callable

    def budget(self) -> tuple[float, int, Callable]:
        """(seconds, max_size, regressor), as the regression functions take them."""
        return self.seconds, self.max_size, self.regressor


@dataclass(frozen=True, eq=False)
class Context:
    """A traced network and its input domain, built once per compile and handed to each path.

    `fit` is the trace the paths read tables from, `check` an independent one to check what they
    found. Nothing here comes from the spec's target. `memo` keeps what one path made for
    another (the discretized machine, for both machine paths). `without` names the mechanisms
    switched off (`mipsdsl.extract.mechanisms`), for an ablation."""

    network: Network
    output_head: str  # "classify" or "regress": the network's output head, which orders the paths
    alphabets: tuple[tuple[int, ...], ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    fit: Trace
    check: Trace
    regression: Regression
    memo: dict = field(default_factory=dict, repr=False)
    without: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Extraction:
    path: str  # the path's name: "finite-state machine", "integer lattice", ...
    formulas: Formulas
    symbolic: bool  # False: a state table, not formulas
    method: str  # how the state was read, in words
    regression: str  # what turned the tables into formulas
    details: dict = field(default_factory=dict, hash=False)  # JSON-able figures
    # the mechanisms the result rests on, its path's first (`mipsdsl.extract.mechanisms`)
    mechanisms: tuple[str, ...] = ()
