"""The lints for traps at the start of a sequence: they fire on the two traps of issue 19 and stay
quiet on every benchmark spec, whose shifts and windows mean what they say at the start."""

from __future__ import annotations

import pytest

from mipsdsl.check import load_task
from mipsdsl.diagnostics import Severity
from tests.conftest import SPECS

HEAD = 'task trap "t"\ninput x in {0, 1}\nlength 10\n'


def warnings_of(write_spec, text: str) -> list[str]:
    _, found = load_task(write_spec(HEAD + text))
    assert all(d.severity is Severity.WARNING for d in found)
    return [d.message for d in found]


def test_a_cut_all_window_is_reported(write_spec):
    (message,) = warnings_of(write_spec, "output y = all(x == 0, last 3)\n")
    assert message.startswith("all(..., last 3) counts the positions before the start as true")
    assert "changes at t = 0 with 'last 3, full'" in message


def test_a_pad_kept_by_a_fold_over_the_prefix_is_reported(write_spec):
    (message,) = warnings_of(
        write_spec, "output y = not any(x == 0 and x[t-1] == 0 and x[t-2] == 0)\n"
    )
    assert message.startswith("output 'y' at t = 2 still depends on what a shift reads before")


def test_the_forms_that_say_what_is_meant_are_quiet(write_spec):
    assert warnings_of(write_spec, "output y = all(x == 0, last 3, full)\n") == []
    guarded = "output y = not any(t >= 2 and x == 0 and x[t-1] == 0 and x[t-2] == 0)\n"
    assert warnings_of(write_spec, guarded) == []
    padded = HEAD.replace("{0, 1}", "{0, 1} pad 1")
    _, found = load_task(write_spec(padded + "output y = not any(x == 0 and x[t-1] == 0)\n"))
    assert found == []  # a declared pad is what the spec means before the start


@pytest.mark.parametrize("spec", sorted(SPECS.glob("*.mips")), ids=lambda p: p.stem)
def test_no_benchmark_spec_has_a_trap_at_the_start(spec):
    _, found = load_task(spec)
    assert not [d for d in found if "before the start" in d.message]
