"""Diagnostics: `path:line:col: severity: message`, the source line with a caret under the span,
JSON for tools, and the exception that carries them."""

from __future__ import annotations

from mipsdsl.diagnostics import Diagnostic, Severity, Span, SpecError, SpecFileError, error, warning

SOURCE = 'task d "d"\ninput x in {0, 1}\n\toutput y = z + 1\n'


def test_a_diagnostic_with_a_span_points_at_the_source():
    found = error("unknown name 'z'", "d.mips", Span(3, 12))
    assert found.format() == "d.mips:3:12: error: unknown name 'z'"
    assert found.format(SOURCE) == (
        "d.mips:3:12: error: unknown name 'z'\n     output y = z + 1\n               ^"
    )


def test_a_span_with_an_end_on_its_line_is_underlined_whole():
    found = warning("odd", "d.mips", Span(2, 7, 2, 17))
    assert found.format(SOURCE).splitlines()[-1] == "          ^" + "~" * 9
    # an end on another line underlines nothing more than the start
    found = warning("odd", "d.mips", Span(2, 7, 3, 2))
    assert found.format(SOURCE).splitlines()[-1] == "          ^"


def test_without_a_span_or_a_line_to_show_only_the_message_is_printed():
    assert error("empty", "d.mips").format(SOURCE) == "d.mips: error: empty"
    assert error("past the end", "d.mips", Span(9, 1)).format(SOURCE) == (
        "d.mips:9:1: error: past the end"
    )


def test_json_holds_the_place_only_when_there_is_one():
    assert warning("w", "d.mips", Span(2, 3)).to_json() == {
        "severity": "warning",
        "message": "w",
        "path": "d.mips",
        "line": 2,
        "column": 3,
    }
    assert error("e", "d.mips").to_json() == {"severity": "error", "message": "e", "path": "d.mips"}


def test_error_and_warning_make_diagnostics_of_their_severity():
    assert error("m", "p") == Diagnostic(Severity.ERROR, "m", "p")
    assert warning("m", "p", Span(1, 1)).severity is Severity.WARNING
    assert Severity.ERROR == "error"  # a StrEnum: prints as the word


def test_a_spec_error_says_every_diagnostic_with_the_source():
    diagnostics = [error("first", "d.mips", Span(2, 1)), warning("second", "d.mips")]
    raised = SpecError(diagnostics, SOURCE)
    assert raised.diagnostics == diagnostics and raised.source == SOURCE
    assert str(raised) == (
        "d.mips:2:1: error: first\n    input x in {0, 1}\n    ^\nd.mips: warning: second"
    )
    assert isinstance(SpecFileError([error("no such file", "d.mips")]), SpecError)
