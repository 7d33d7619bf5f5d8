"""The syntax tree: what the user wrote, with source spans, before any name is resolved.

The checker (`mipsdsl.check`) turns this into a `Task`; nothing downstream sees these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mipsdsl.diagnostics import Span

# ---- expressions ----


@dataclass(frozen=True)
class Num:
    value: int
    span: Span


@dataclass(frozen=True)
class Sym:
    """A quoted character such as '(' that stands for its index in an input's alphabet."""

    char: str
    span: Span


@dataclass(frozen=True)
class Pos:
    """The position `t`."""

    span: Span


@dataclass(frozen=True)
class Name:
    id: str
    span: Span


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: SExpr
    span: Span


@dataclass(frozen=True)
class Binary:
    op: str
    left: SExpr
    right: SExpr
    span: Span


@dataclass(frozen=True)
class Conditional:
    test: SExpr
    then: SExpr
    orelse: SExpr
    span: Span


@dataclass(frozen=True)
class Shift:
    """`e[t-k]`; `offset` is k as written after `t` (so `e[t+1]` has offset -1)."""

    operand: SExpr
    offset: int
    span: Span


@dataclass(frozen=True)
class Pattern:
    """A regular expression as written between its quotes; `span` starts at the opening quote."""

    text: str
    span: Span


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[SExpr, ...]
    window: int | None
    ties: str | None
    span: Span
    func_span: Span
    pattern: Pattern | None = None  # matches(e, "REGEX")
    full: bool = False  # `last k, full`: 0 until k positions exist


SExpr = Num | Sym | Pos | Name | Unary | Binary | Conditional | Shift | Call

# ---- statements ----


@dataclass(frozen=True)
class Ident:
    id: str
    span: Span


@dataclass(frozen=True)
class TaskDecl:
    name: Ident
    description: str | None
    span: Span


@dataclass(frozen=True)
class RangeAlphabet:
    lo: int
    hi: int
    closed: bool
    span: Span


@dataclass(frozen=True)
class SetAlphabet:
    items: tuple[int | str, ...]  # ints, or one-character symbols
    span: Span


@dataclass(frozen=True)
class InputDecl:
    names: tuple[Ident, ...]
    alphabet: RangeAlphabet | SetAlphabet
    pad: int | None
    span: Span


@dataclass(frozen=True)
class LengthDecl:
    lo: int
    hi: int
    span: Span


@dataclass(frozen=True)
class Part:
    kind: str  # "uniform", "weighted", "palindrome"
    weights: tuple[tuple[int | str, float], ...]
    length: tuple[int, int] | None
    span: Span


@dataclass(frozen=True)
class GenerateDecl:
    parts: tuple[Part, ...]
    without_duplicates: bool
    span: Span


@dataclass(frozen=True)
class StateInit:
    name: Ident
    value: SExpr
    span: Span


@dataclass(frozen=True)
class LetDecl:
    name: Ident
    value: SExpr
    span: Span


@dataclass(frozen=True)
class UpdateDecl:
    name: Ident
    value: SExpr
    span: Span


@dataclass(frozen=True)
class OutputDecl:
    """`output y = e`; or, in an examples-only spec, `output y0, y1 [in [lo, hi]]`: one
    declaration per name, each with the stated bounds."""

    name: Ident
    value: SExpr | None
    span: Span
    bounds: tuple[int, int] | None = None


@dataclass(frozen=True)
class ExamplesDecl:
    path: str
    span: Span


@dataclass(frozen=True)
class DataOption:
    key: str  # "size", "train", "seed"
    value: float
    span: Span


@dataclass(frozen=True)
class DataDecl:
    options: tuple[DataOption, ...]
    span: Span


@dataclass(frozen=True)
class HintDecl:
    name: Ident
    value: int | str
    span: Span


Statement = (
    TaskDecl
    | InputDecl
    | LengthDecl
    | GenerateDecl
    | StateInit
    | LetDecl
    | UpdateDecl
    | OutputDecl
    | ExamplesDecl
    | DataDecl
    | HintDecl
)


@dataclass(frozen=True)
class Spec:
    path: str
    source: str
    statements: tuple[Statement, ...]
