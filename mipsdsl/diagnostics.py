"""Diagnostics: every problem a user can cause is reported as one of these, never as a traceback.

A diagnostic carries a source span so it can be printed the way compilers do::

    specs/foo.mips:3:12: error: unknown name 'z'
        output y = z + 1
                   ^
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Span:
    """A 1-based line/column range in a source file."""

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    message: str
    path: str
    span: Span | None = None

    def format(self, source: str | None = None) -> str:
        """Render as `path:line:col: severity: message`, plus the source line and a caret."""
        where = self.path
        if self.span is not None:
            where += f":{self.span.line}:{self.span.column}"
        text = f"{where}: {self.severity.value}: {self.message}"
        if self.span is None or source is None:
            return text
        lines = source.splitlines()
        if not 1 <= self.span.line <= len(lines):
            return text
        line = lines[self.span.line - 1].expandtabs(1)
        width = 1
        if self.span.end_line == self.span.line and self.span.end_column:
            width = max(1, self.span.end_column - self.span.column)
        caret = " " * (self.span.column - 1) + "^" + "~" * (width - 1)
        return f"{text}\n    {line}\n    {caret}"

    def to_json(self) -> dict:
        out: dict[str, str | int] = {
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
        }
        if self.span is not None:
            out["line"], out["column"] = self.span.line, self.span.column
        return out


class SpecError(Exception):
    """Raised with one or more diagnostics when a spec cannot be used."""

    def __init__(self, diagnostics: list[Diagnostic], source: str | None = None):
        self.diagnostics = list(diagnostics)
        self.source = source
        super().__init__("\n".join(d.format(source) for d in self.diagnostics))


class SpecFileError(SpecError):
    """The spec file itself cannot be opened (missing, a directory, no permission): a usage
    error."""


def error(message: str, path: str, span: Span | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, path, span)


def warning(message: str, path: str, span: Span | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, message, path, span)
