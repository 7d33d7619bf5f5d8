"""The lints that need data: a sample is labelled, so that a division by zero or an output that
never changes is reported before training."""

from __future__ import annotations

from mipsdsl.check import check
from mipsdsl.check.lints import lint_on_data
from mipsdsl.diagnostics import Severity
from mipsdsl.syntax import parse


def lints(text: str, sample: int = 500):
    spec = parse(text, "demo.mips")
    task, _ = check(spec)
    return lint_on_data(task, spec, sample)


def test_an_output_that_never_changes_is_a_warning_at_its_statement():
    (found,) = lints('task d "d"\ninput x in {0, 1}\nlength 6\noutput y = x\noutput z = x * 0\n')
    assert found.severity is Severity.WARNING
    assert found.message == "output 'z' is 0 on every generated sequence"
    assert (found.path, found.span.line) == ("demo.mips", 5)


def test_a_division_by_zero_on_the_sample_is_an_error_at_the_output():
    (found,) = lints('task d "d"\ninput x in [0, 3)\nlength 5\noutput y = 6 // x\n')
    assert found.severity is Severity.ERROR
    assert "'y'" in found.message and "divides by zero" in found.message
    assert found.span.line == 4


def test_a_spec_whose_outputs_vary_has_no_lint():
    assert lints('task d "d"\ninput x in [0, 3)\nlength 5\noutput y = sum(x) % 3\n') == []


def test_no_sample_means_no_lint():
    text = 'task d "d"\ninput x in [0, 3)\nlength 5\noutput y = 6 // x\noutput z = 0 * x\n'
    assert lints(text, sample=0) == []
    assert len(lints(text, sample=50)) == 1  # the division by zero stops the labelling
