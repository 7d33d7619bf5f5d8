"""Candidate relations learned from traces of both programs."""

from __future__ import annotations

from mipsdsl.emit.printer import to_mips
from mipsdsl.prove.reference import reference_program
from mipsdsl.prove.relations import candidates
from mipsdsl.prove.symbolic import Domain
from tests.prove.conftest import program_of, task_of


def test_the_programs_state_is_found_as_a_formula_of_the_specs():
    spec = task_of("task s\ninput x in [0, 3)\nlength 8\noutput y = sum(x) % 3\n")
    program = program_of(
        "task c\ninput x in [0, 3)\nlength 8\nstate s = 0\nupdate s = (s + x) % 3\n"
        "output y = s\n"
    )
    found = [
        to_mips(c)
        for c in candidates(
            reference_program(spec).program, program, Domain(("x",), ((0, 1, 2),)), 8
        )
    ]
    assert "program.s == spec.sum_x % 3" in found
    assert "program.s >= 0" in found and "program.s <= 2" in found


def test_registers_the_program_keeps_are_found_the_other_way_round():
    spec = task_of("task s\ninput x in [0, 9)\nlength 8\noutput y = x[t-1] + x[t-2]\n")
    program = program_of(
        "task c\ninput x in [0, 9)\nlength 8\nstate a = 0, b = 0\nlet y_out = a + b\n"
        "update b = a\nupdate a = x\noutput y = y_out\n"
    )
    reference = reference_program(spec).program
    found = [
        to_mips(c) for c in candidates(reference, program, Domain(("x",), (tuple(range(9)),)), 8)
    ]
    assert "program.a == spec.prev_x" in found and "program.b == spec.prev2_x" in found
