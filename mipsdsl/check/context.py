"""What every checking pass shares: the spec, the diagnostics found so far, and the names declared.

Each pass reports into one `Context`, so `check` can sort every diagnostic by position at the end
whichever pass found it.
"""

from __future__ import annotations

import difflib
import keyword

from mipsdsl import expr as E
from mipsdsl.diagnostics import Diagnostic, Severity, Span, error, warning
from mipsdsl.syntax import tree as T
from mipsdsl.task import InputChannel

MAX_LENGTH = 10_000
INT64_SAFE = 1 << 62  # literals, alphabet values and pads stay below this

RESERVED = {
    "t",
    "task",
    "input",
    "in",
    "pad",
    "length",
    "generate",
    "then",
    "without",
    "duplicates",
    "uniform",
    "weighted",
    "palindrome",
    "state",
    "let",
    "update",
    "output",
    "examples",
    "data",
    "size",
    "train",
    "seed",
    "hint",
    "if",
    "else",
    "and",
    "or",
    "xor",
    "not",
    "last",
    "full",
    "ties",
}

FUNCTIONS = (
    "abs",
    "min",
    "max",
    "sum",
    "count",
    "mode",
    "all",
    "any",
    "palindrome",
    "run",
    "distinct",
    "changes",
    "matches",
)


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Context:
    """The spec being checked and what the passes have learnt and found in it so far."""

    def __init__(self, spec: T.Spec):
        self.spec = spec
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[str, tuple[str, Span]] = {}  # name -> (kind, where defined)
        self.symbols: dict[str, int] = {}
        self.sequence_lets: set[str] = set()
        self.pads: dict[str, int] = {}  # input name -> what it reads before the start
        self.channels: dict[str, InputChannel] = {}
        # arguments of matches() read as digits: bounded to 0..9 once bounds are known
        self.digit_args: list[tuple[E.Expr, Span]] = []
        # declared, but their definition had an error already reported
        self.broken: set[str] = set()

    # ---- reporting ----
    def error(self, message: str, span: Span | None) -> None:
        self.diagnostics.append(error(message, self.spec.path, span))

    def warn(self, message: str, span: Span | None) -> None:
        self.diagnostics.append(warning(message, self.spec.path, span))

    def failed(self, since: int = 0) -> bool:
        """Whether an error was reported after the first `since` diagnostics."""
        return any(d.severity is Severity.ERROR for d in self.diagnostics[since:])

    # ---- names ----
    def declare(self, ident: T.Ident, kind: str) -> bool:
        """Record `ident` as a name of `kind`; False, with an error reported, if it cannot be."""
        name = ident.id
        if (
            name in RESERVED
            or keyword.iskeyword(name)
            or name.startswith("__")
            or name in FUNCTIONS
        ):
            self.broken.add(name)  # report the bad name once, not at every use
        if name in RESERVED:
            self.error(f"'{name}' is a reserved word and cannot name {kind}", ident.span)
            return False
        if keyword.iskeyword(name) or name.startswith("__"):
            self.error(
                f"'{name}' cannot be used as a name (it would clash in generated Python)",
                ident.span,
            )
            return False
        if name in FUNCTIONS:
            self.error(f"'{name}' is a built-in function and cannot name {kind}", ident.span)
            return False
        if name in self.names:
            first_kind, first = self.names[name]
            self.error(
                f"'{name}' is already defined as {first_kind} on line {first.line}", ident.span
            )
            return False
        self.names[name] = (kind, ident.span)
        return True
