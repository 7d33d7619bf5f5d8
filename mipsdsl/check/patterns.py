"""`matches(e, "REGEX")`: the regular expression compiled once, at check time, to the automaton
that evaluation, bounds and the prover step (`mipsdsl.expr.Automaton`).

Python's `re` reads the pattern first, so a syntax error is reported at the character where `re`
found it and the language is exactly `re.fullmatch`'s; interegular turns it into a deterministic
automaton. Each symbol is one character: a character alphabet's own characters, or the digits
0..9 for integer values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import interegular

from mipsdsl import expr as E
from mipsdsl.check.context import Context
from mipsdsl.diagnostics import Span
from mipsdsl.syntax import tree as T

MAX_STATES = 256  # the automaton's state is one variable of the streaming form

# One token at a time: an escape, a character class, a group extension that reads ahead or
# back or refers to a group (what interegular does not turn into the same language), anything.
_TOKEN = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\(\?(?:<?[=!]|\(|P=)|.", re.DOTALL)


def at(pattern: T.Pattern, index: int) -> Span:
    """The span of the pattern's character `index` (the pattern lies on one line, after a quote)."""
    column = pattern.span.column + 1 + index
    return Span(pattern.span.line, column, pattern.span.line, column + 1)


class PatternError(Exception):
    """A pattern that cannot be compiled; `index` is the character at fault, when known."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.index = index


def automaton(
    text: str, symbols: Sequence[str], values: Sequence[int]
) -> tuple[E.Automaton, tuple[str, ...]]:
    """The automaton of the pattern `text` over `symbols`, the characters that stand for
    `values`, and the characters the pattern writes out that are not symbols. Raises
    `PatternError`."""
    try:
        re.compile(text)
    except re.error as exc:
        raise PatternError(f"bad regular expression: {exc.msg}", exc.pos or 0) from None
    for token in _TOKEN.finditer(text):
        if token.group().startswith("(?"):
            raise PatternError(
                "matches() takes no lookarounds, conditionals or group references", token.start()
            )
    try:
        fsm = interegular.parse_pattern(text).to_fsm().reduce()
    except interegular.Unsupported as exc:
        raise PatternError(f"matches() does not support {exc} in a regular expression") from None
    except Exception as exc:  # interegular's own refusals carry no type of their own
        raise PatternError(f"cannot compile the regular expression: {exc}") from None
    found = _automaton(fsm, text, symbols, values)
    if found.states > MAX_STATES:
        raise PatternError(
            f"the regular expression needs {found.states} states (at most {MAX_STATES})"
        )
    named = {c for c in fsm.alphabet if isinstance(c, str) and c in text}
    return found, tuple(sorted(named - set(symbols)))


def compile_pattern(
    ctx: Context, pattern: T.Pattern, symbols: Sequence[str], values: Sequence[int]
) -> E.Automaton | None:
    """`automaton`, or None after reporting why it cannot be built. Characters the pattern
    names that are not symbols are a warning: they can never match."""
    try:
        found, unknown = automaton(pattern.text, symbols, values)
    except PatternError as exc:
        ctx.error(str(exc), pattern.span if exc.index is None else at(pattern, exc.index))
        return None
    for char in unknown:
        ctx.warn(
            f"{char!r} is not a symbol of the argument (symbols: {', '.join(symbols)}); it can "
            "never match",
            at(pattern, pattern.text.index(char)),
        )
    return found


def _automaton(fsm, text: str, symbols: Sequence[str], values: Sequence[int]) -> E.Automaton:
    """The states reachable over `symbols`, numbered in breadth-first order from the start, with
    a rejecting sink where interegular leaves a transition out."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    keys = [fsm.alphabet[symbols[i]] for i in order]
    numbers: dict[object, int] = {fsm.initial: 0}
    queue, rows = [fsm.initial], []
    while queue:
        state = queue.pop(0)
        row = []
        for key in keys:
            target = fsm.map.get(state, {}).get(key)  # None: the sink
            if target not in numbers:
                numbers[target] = len(numbers)
                queue.append(target)
            row.append(numbers[target])
        rows.append(tuple(row))
    accepting = tuple(sorted(numbers[s] for s in numbers if s in fsm.finals))
    return E.Automaton(text, tuple(values[i] for i in order), tuple(rows), accepting)
