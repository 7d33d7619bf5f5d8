"""`matches(e, "REGEX")` in the checker: the automaton it builds, its errors at the character at
fault, and its warnings for characters that are not symbols."""

from __future__ import annotations

import pytest

from mipsdsl import expr as E
from mipsdsl.check.patterns import PatternError, automaton
from mipsdsl.diagnostics import Severity, SpecError
from mipsdsl.emit.printer import to_mips
from tests.check.conftest import checked

HEAD = "task demo \"d\"\ninput x in {0, 1}\ninput p in {'(', ')'}\nlength 6\n"


def diagnostics_of(line: str):
    try:
        _, found = checked(HEAD + line + "\n")
    except SpecError as exc:
        found = exc.diagnostics
    return [(d.severity, d.message, d.span.column if d.span else None) for d in found]


def test_the_automaton_is_complete_and_numbered_from_the_start():
    found, unknown = automaton("1(01)*", ("0", "1"), (0, 1))
    assert found == E.Automaton("1(01)*", (0, 1), ((1, 2), (1, 1), (0, 1)), (2,))
    assert unknown == ()


def test_a_character_alphabet_reads_as_its_characters():
    task, warnings = checked(HEAD + 'output y = matches(p, "(\\(\\))*")\n')
    (output,) = task.outputs
    assert isinstance(output.expr, E.Matches) and output.expr.automaton.symbols == (0, 1)
    assert (output.lo, output.hi, warnings) == (0, 1, [])


@pytest.mark.parametrize(
    "pattern, message, column",
    [
        ("1(01", "bad regular expression: missing ), unterminated subpattern", 2),
        ("1**", "bad regular expression: multiple repeat", 3),
        ("[1", "bad regular expression: unterminated character set", 1),
        ("1(?=0)", "matches() takes no lookarounds, conditionals or group references", 2),
        ("1$", "matches() does not support '$' in a regular expression", 0),
    ],
)
def test_a_bad_pattern_is_an_error_at_the_character(pattern, message, column):
    start = len("output y = matches(x, ") + 1  # the opening quote
    (found,) = diagnostics_of(f'output y = matches(x, "{pattern}")')
    assert found == (Severity.ERROR, message, start + column)


def test_characters_that_are_not_symbols_are_a_warning_at_the_character():
    (found,) = diagnostics_of('output y = matches(x, "1(02)*")')
    assert found[:2] == (
        Severity.WARNING,
        "'2' is not a symbol of the argument (symbols: 0, 1); it can never match",
    )
    assert found[2] == len('output y = matches(x, "1(0') + 1


def test_integer_values_outside_the_digits_are_refused():
    head = 'task demo "d"\ninput w in [0, 12)\ninput n in {-1, 1}\nlength 6\n'
    for arg in ("w", "n", "w % 10 + 1"):
        with pytest.raises(SpecError, match="reads each value as one digit, 0 to 9"):
            checked(head + f'output y = matches({arg}, "1*")\n')
    task, _ = checked(head + 'output y = matches(w % 10, "1*")\n')
    assert task.outputs[0].expr.automaton.symbols == tuple(range(10))


@pytest.mark.parametrize(
    "line, message",
    [
        ("output y = matches(x)", 'matches() takes a regular expression: matches(e, "1(01)*")'),
        (
            'output y = matches(x, "1", last 2)',
            "matches() reads the whole prefix and takes no 'last'",
        ),
        ('output y = sum(x, "1")', "only matches() takes a regular expression, not sum()"),
        (
            'state s = 0\nupdate s = matches(x, "1")\noutput y = s',
            "an update runs one step at a time and cannot use the aggregate matches(); keep a "
            "running value in a state variable",
        ),
    ],
)
def test_misused_patterns_are_errors(line, message):
    assert (Severity.ERROR, message) in [found[:2] for found in diagnostics_of(line)]


def test_pattern_errors_carry_the_index_of_the_character():
    with pytest.raises(PatternError) as info:
        automaton("0|(1", ("0", "1"), (0, 1))
    assert info.value.index == 2


def test_the_mips_printer_writes_matches_and_the_new_windows_back():
    line = 'output y = matches(x, "1(01)*") + run(x, last 3, full) + distinct(x) + changes(x)'
    task, _ = checked(HEAD + line + "\n")
    printed = to_mips(task.outputs[0].expr)
    assert printed == line.removeprefix("output y = ")
    again, _ = checked(HEAD + f"output y = {printed}\n")
    assert again.outputs == task.outputs
