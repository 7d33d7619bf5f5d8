"""`Task`: a checked spec, the single value every later stage starts from.

Names are resolved, alphabets are lists of integer codes, and every output carries sound value
bounds. Target expressions are in the shared IR (`mipsdsl.expr`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mipsdsl.expr import Expr
from mipsdsl.program import Step


@dataclass(frozen=True)
class InputChannel:
    name: str
    values: tuple[int, ...]  # the alphabet as sorted integer codes
    symbols: tuple[str, ...] | None = None  # the characters the codes stand for, if any
    pad: int = 0  # what `x[t-k]` reads before the start

    @property
    def lo(self) -> int:
        return self.values[0]

    @property
    def hi(self) -> int:
        return self.values[-1]


@dataclass(frozen=True)
class GeneratorPart:
    """A stretch of the input sequence: uniform or weighted i.i.d. values, or a palindrome.

    `length` is an inclusive range; None means "the rest of the sequence" (last part only).
    """

    kind: str  # "uniform", "weighted", "palindrome"
    length: tuple[int, int] | None = None
    weights: tuple[tuple[int, float], ...] = ()  # (value code, weight) for "weighted"


@dataclass(frozen=True)
class Generator:
    parts: tuple[GeneratorPart, ...] = (GeneratorPart("uniform"),)
    distinct: bool = False  # drop duplicate sequences

    @property
    def is_uniform(self) -> bool:
        return self.parts == (GeneratorPart("uniform"),)


@dataclass(frozen=True)
class OutputChannel:
    name: str
    expr: Expr | None  # None when the outputs come from an examples file
    lo: int
    hi: int
    from_data: bool = False  # the bounds are the examples file's extremes, not stated

    @property
    def cardinality(self) -> int:
        return self.hi - self.lo + 1


@dataclass(frozen=True)
class DataConfig:
    size: int = 100_000
    train_fraction: float = 0.9
    seed: int = 0


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    path: str
    sha256: str
    inputs: tuple[InputChannel, ...]
    length: tuple[int, int]  # inclusive range of sequence lengths
    generator: Generator
    states: tuple[tuple[str, int], ...]  # (name, initial value)
    steps: tuple[Step, ...]
    outputs: tuple[OutputChannel, ...]
    data: DataConfig = field(default_factory=DataConfig)
    hints: tuple[tuple[str, int | str], ...] = ()
    examples: str | None = None  # resolved path of an examples .npz, when the target is data

    @property
    def max_length(self) -> int:
        return self.length[1]

    def hint(self, name: str, default=None):
        return dict(self.hints).get(name, default)
