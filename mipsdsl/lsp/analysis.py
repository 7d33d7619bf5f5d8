"""One document's analysis: the checker's diagnostics as 0-based ranges, and each name's hover.

The checker reports 1-based lines and columns with an exclusive end (`Span`); the Language Server
Protocol wants 0-based lines and characters. Positions here count code points; the server turns
them into the encoding the editor asked for. Nothing here needs pygls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mipsdsl.bounds import Interval, interval, unrolled
from mipsdsl.check import check
from mipsdsl.check.lints import lint_on_data
from mipsdsl.diagnostics import Diagnostic, Severity, Span, SpecError
from mipsdsl.errors import MipsError
from mipsdsl.syntax import parse
from mipsdsl.task import InputChannel, Task

LINT_SAMPLE = 2000  # sequences labelled for the data lints, as many as `mipsc check` labels
BOM = "\ufeff"  # the parser drops it, so spans on the first line start after it
WORD = re.compile(r"[A-Za-z_0-9]+")


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 0-based
    character: int  # 0-based, in code points


@dataclass(frozen=True)
class Finding:
    """A diagnostic placed in the document."""

    severity: Severity
    message: str
    start: Position
    end: Position


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...]
    hovers: dict[str, str] = field(default_factory=dict)  # name -> markdown; empty on errors


def analyse(source: str, path: str) -> Analysis:
    """Parse, check and lint `source` as `mipsc check` does, without reading the file."""
    lines = re.split(r"\r?\n", source.removeprefix(BOM))
    shift = 1 if source.startswith(BOM) else 0
    try:
        spec = parse(source, path)
        task, diagnostics = check(spec)
        diagnostics += lint_on_data(task, spec, LINT_SAMPLE)
    except SpecError as exc:
        return Analysis(tuple(_finding(d, lines, shift) for d in exc.diagnostics))
    except MipsError as exc:  # a problem of the spec's data file, with no place in the text
        return Analysis((Finding(Severity.ERROR, str(exc), Position(0, 0), Position(0, 0)),))
    return Analysis(tuple(_finding(d, lines, shift) for d in diagnostics), hovers(task))


def _finding(diagnostic: Diagnostic, lines: list[str], shift: int) -> Finding:
    start, end = place(diagnostic.span, lines)
    if shift and diagnostic.span is not None:
        start, end = (
            Position(p.line, p.character + shift) if p.line == 0 else p for p in (start, end)
        )
    return Finding(diagnostic.severity, diagnostic.message, start, end)


def place(span: Span | None, lines: list[str]) -> tuple[Position, Position]:
    """The 0-based range of a span, inside the text; a span without an end covers the word at
    its start (or one character), a diagnostic without a span the start of the file."""
    if span is None:
        return Position(0, 0), Position(0, 0)
    start = _clamped(span.line, span.column, lines)
    if span.end_line is not None and span.end_column is not None:
        end = _clamped(span.end_line, span.end_column, lines)
        if end > start:
            return start, end
    text = lines[start.line]
    word = WORD.match(text, start.character)
    width = len(word.group()) if word else min(1, len(text) - start.character)
    return start, Position(start.line, start.character + width)


def _clamped(line: int, column: int, lines: list[str]) -> Position:
    row = min(max(line - 1, 0), len(lines) - 1)
    return Position(row, min(max(column - 1, 0), len(lines[row])))


def hovers(task: Task) -> dict[str, str]:
    """Markdown for every name the spec defines: the task, its inputs' alphabets, and the
    bounds of each state, let and output over the spec's longest sequence."""
    length = task.max_length
    bounds = _bounds(task)
    about = f"\n\n{task.description}" if task.description else ""
    found = {task.name: f"**task {task.name}**{about}"}
    for channel in task.inputs:
        found[channel.name] = _input(channel)
    for name, initial in task.states:
        found[name] = f"**state {name}** = {initial}" + _range(bounds.get(name), length)
    for step in task.steps:
        if step.kind == "let":
            found[step.name] = f"**let {step.name}**" + _range(bounds.get(step.name), length)
    for output in task.outputs:
        found[output.name] = f"**output {output.name}**" + _range((output.lo, output.hi), length)
    return found


def _bounds(task: Task) -> dict[str, Interval]:
    """Bounds of the inputs, states and lets, as the checker's bounding finds them."""
    env: dict[str, Interval] = {c.name: (c.lo, c.hi) for c in task.inputs}
    length = task.max_length
    env = unrolled(env, task.states, [s for s in task.steps if not s.sequence_level], length)
    for step in task.steps:
        if step.sequence_level:
            env[step.name] = interval(step.expr, env, length)
    return env


def _range(bound: Interval | None, length: int) -> str:
    if bound is None:
        return ""
    lo, hi = bound
    count = hi - lo + 1
    values = f"{count:,} value{'s' * (count != 1)}"
    return f"\n\nvalues in [{lo}, {hi}] ({values}) over sequences up to length {length}"


def _input(channel: InputChannel) -> str:
    count = len(channel.values)
    text = f"**input {channel.name}** in {_alphabet(channel)}: {count:,} value{'s' * (count != 1)}"
    if channel.symbols:
        pairs = ", ".join(
            f"'{s}' = {v}" for s, v in zip(channel.symbols, channel.values, strict=True)
        )
        text += f"\n\nsymbols stand for their index: {pairs}"
    if channel.pad:
        text += f"\n\npositions before the start read {channel.pad}"
    return text


def _alphabet(channel: InputChannel) -> str:
    if channel.symbols:
        return "{" + ", ".join(f"'{s}'" for s in channel.symbols) + "}"
    if len(channel.values) == channel.hi - channel.lo + 1:  # distinct values: a whole range
        return f"[{channel.lo}, {channel.hi + 1})"
    return "{" + ", ".join(map(str, channel.values)) + "}"
