"""The checker's shared context: names declared once, reserved words and built-ins refused, and
diagnostics collected in the order the passes report them."""

from __future__ import annotations

import pytest

from mipsdsl.check.context import FUNCTIONS, RESERVED, Context, suggest
from mipsdsl.diagnostics import Severity, Span
from mipsdsl.syntax import tree as T


def context() -> Context:
    return Context(T.Spec("demo.mips", "", ()))


def ident(name: str, line: int = 1) -> T.Ident:
    return T.Ident(name, Span(line, 1))


def test_a_name_is_declared_once_and_a_second_declaration_names_the_first():
    ctx = context()
    assert ctx.declare(ident("x", 2), "an input")
    assert ctx.names["x"] == ("an input", Span(2, 1))
    assert not ctx.declare(ident("x", 5), "a let")
    (diagnostic,) = ctx.diagnostics
    assert diagnostic.message == "'x' is already defined as an input on line 2"
    assert diagnostic.span == Span(5, 1) and diagnostic.path == "demo.mips"
    assert ctx.names["x"] == ("an input", Span(2, 1))  # the first declaration stands


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("length", "is a reserved word and cannot name a state variable"),
        ("lambda", "cannot be used as a name (it would clash in generated Python)"),
        ("__init", "cannot be used as a name"),
        ("mode", "is a built-in function and cannot name a state variable"),
    ],
)
def test_names_that_would_clash_are_refused_and_marked_broken(name, fragment):
    ctx = context()
    assert not ctx.declare(ident(name), "a state variable")
    (diagnostic,) = ctx.diagnostics
    assert fragment in diagnostic.message and diagnostic.severity is Severity.ERROR
    assert name in ctx.broken and name not in ctx.names


def test_every_function_and_keyword_of_the_language_is_taken():
    assert {"t", "input", "output", "state", "if", "last", "ties", "full"} <= RESERVED
    assert set(FUNCTIONS) == {"abs", "min", "max", "sum", "count", "mode", "all", "any"} | {
        "palindrome",
        "run",
        "distinct",
        "changes",
        "matches",
    }
    assert set(FUNCTIONS) & RESERVED == {"palindrome"}  # also a generator keyword


def test_failed_counts_errors_only_and_only_after_a_mark():
    ctx = context()
    ctx.warn("just a warning", None)
    assert not ctx.failed()
    ctx.error("an error", Span(3, 4))
    mark = len(ctx.diagnostics)
    assert ctx.failed() and ctx.failed(1) and not ctx.failed(mark)
    ctx.warn("another warning", None)
    assert not ctx.failed(mark)
    assert [d.severity for d in ctx.diagnostics] == [
        Severity.WARNING,
        Severity.ERROR,
        Severity.WARNING,
    ]


def test_suggest_offers_the_closest_name_or_nothing():
    assert suggest("totl", ["total", "count"]) == "; did you mean 'total'?"
    assert suggest("zzz", ["total", "count"]) == ""
    assert suggest("x", []) == ""
