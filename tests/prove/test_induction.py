"""Induction keeps exactly the candidates one step preserves, and the fewest a proof needs."""

from __future__ import annotations

import time

from mipsdsl import expr as E
from mipsdsl.prove.induction import induct
from mipsdsl.prove.reference import reference_program
from mipsdsl.prove.symbolic import Domain
from tests.prove.conftest import program_of, task_of

SPEC = task_of("task s\ninput x in [0, 3)\nlength 8\noutput y = sum(x) % 3\n")
PROGRAM = program_of(
    "task c\ninput x in [0, 3)\nlength 8\nstate s = 0\nupdate s = (s + x) % 3\noutput y = s\n"
)
REFERENCE = reference_program(SPEC).program
DOMAIN = Domain(("x",), ((0, 1, 2),))
SUM, S = E.Var("spec.sum_x"), E.Var("program.s")
RELATED = E.Binary("==", S, E.Binary("%", SUM, E.Const(3)))
RANGE = E.Binary("<=", S, E.Const(2))
WRONG = E.Binary("<=", SUM, E.Const(10))  # true on short traces, broken by a step


def test_the_right_relation_proves_the_outputs_and_the_wrong_one_is_dropped():
    result = induct(REFERENCE, PROGRAM, DOMAIN, [RANGE, WRONG, RELATED], time.monotonic() + 30)
    assert result.proved and result.complete
    assert result.invariant == (RELATED,)  # the range is implied: cut from what is recorded


def test_without_a_relation_nothing_is_proved():
    result = induct(REFERENCE, PROGRAM, DOMAIN, [RANGE], time.monotonic() + 30)
    assert not result.proved and result.complete


def test_a_relation_false_at_the_start_is_not_kept():
    shifted = E.Binary("==", S, E.Binary("%", E.Binary("+", SUM, E.Const(1)), E.Const(3)))
    result = induct(REFERENCE, PROGRAM, DOMAIN, [shifted], time.monotonic() + 30)
    assert not result.proved and result.invariant == ()
