"""The bounded search: a shortest counterexample when there is one, a proof up to the length
when there is none."""

from __future__ import annotations

import time

from mipsdsl.prove.bounded import search
from mipsdsl.prove.reference import reference_program
from mipsdsl.prove.symbolic import Domain
from tests.prove.conftest import program_of, task_of

SPEC = task_of("task s\ninput x in [0, 4)\nlength 8\noutput y = sum(x)\n")
DOMAIN = Domain(("x",), ((0, 1, 2, 3),))
REFERENCE = reference_program(SPEC).program


def _candidate(update: str):
    return program_of(
        f"task c\ninput x in [0, 4)\nlength 8\nstate s = 0\nupdate s = {update}\noutput y = s\n"
    )


def test_a_correct_program_is_proved_up_to_the_length():
    found = search(REFERENCE, _candidate("s + x"), DOMAIN, 8, time.monotonic() + 30)
    assert found.complete and found.checked == 8 and found.counterexample is None


def test_the_counterexample_is_a_shortest_one():
    found = search(REFERENCE, _candidate("min(s + x, 7)"), DOMAIN, 8, time.monotonic() + 30)
    inputs = found.counterexample.inputs
    assert found.checked == len(inputs) - 1 == 2  # 8 needs three inputs below 4
    assert sum(x for (x,) in inputs) > 7


def test_a_spent_deadline_proves_nothing():
    found = search(REFERENCE, _candidate("s + x"), DOMAIN, 8, time.monotonic() - 1)
    assert not found.complete and found.checked == 0 and found.counterexample is None
