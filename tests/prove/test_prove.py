"""`prove`: planted bugs are refuted with a real counterexample, correct programs of each
extraction path's shape are proved for every length."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.prove import EVERY_LENGTH, prove
from tests.prove.conftest import program_of, task_of

SUM_ALL = "task sum_all\ninput x in [0, 100)\nlength 10\noutput y = sum(x)\n"


def _sum_candidate(update: str) -> str:
    return (
        f"task c\ninput x in [0, 100)\nlength 10\nstate s = 0\nupdate s = {update}\noutput y = s\n"
    )


def _refuted_at(proof) -> int:
    assert proof.proved is None and proof.counterexample is not None, proof.reason
    return len(proof.counterexample.inputs) - 1


def test_a_saturating_counter_is_refuted_past_the_spec_length():
    proof = prove(task_of(SUM_ALL), program_of(_sum_candidate("min(s + x, 5000)")), length=60)
    position = _refuted_at(proof)
    assert position >= 50  # 5,001 needs at least 51 inputs below 100
    assert sum(v for (v,) in proof.counterexample.inputs) > 5000
    assert proof.got[-1] == (5000,) and proof.expected[-1] != proof.got[-1]
    assert "<--" in proof.table().splitlines()[-1]


def test_a_counter_saturating_beyond_every_searched_length_is_not_proved():
    proof = prove(task_of(SUM_ALL), program_of(_sum_candidate("min(s + x, 1000000)")), length=20)
    assert proof.proved == "length <= 20" and proof.counterexample is None


def test_an_off_by_one_window_is_refuted():
    spec = task_of("task w\ninput x in [0, 10)\nlength 8\noutput y = sum(x, last 3)\n")
    program = program_of(
        "task c\ninput x in [0, 10)\nlength 8\nstate a = 0\n"
        "let y_out = x + a\nupdate a = x\noutput y = y_out\n"
    )
    proof = prove(spec, program)
    assert _refuted_at(proof) == 2  # the first position whose window holds three values
    assert proof.counterexample.inputs[0] != (0,)


def test_a_program_wrong_only_at_t0_is_refuted_at_t0():
    spec = task_of("task p\ninput x in [0, 10)\nlength 8\noutput y = x[t-1]\n")
    program = program_of(
        "task c\ninput x in [0, 10)\nlength 8\nstate a = 1\n"
        "let y_out = a\nupdate a = x\noutput y = y_out\n"
    )
    proof = prove(spec, program)
    assert _refuted_at(proof) == 0
    assert proof.expected == ((0,),) and proof.got == ((1,),)


def test_truncating_remainder_is_refuted_on_negative_sums_and_floor_remainder_proved():
    spec = task_of("task m\ninput x in [-5, 5)\nlength 8\noutput y = sum(x) % 3\n")
    header = "task c\ninput x in [-5, 5)\nlength 8\nstate s = 0\nupdate s = s + x\n"
    truncating = program_of(header + "output y = if s < 0 then -(-s % 3) else s % 3\n")
    proof = prove(spec, truncating)
    _refuted_at(proof)
    assert sum(v for (v,) in proof.counterexample.inputs) < 0
    floor = program_of(
        "task c\ninput x in [-5, 5)\nlength 8\nstate s = 0\nupdate s = (s + x) % 3\n"
        "output y = s\n"
    )
    assert prove(spec, floor).proved == EVERY_LENGTH


def test_a_division_by_zero_in_the_program_is_refuted():
    spec = task_of("task d\ninput x in [0, 4)\nlength 6\noutput y = x\n")
    program = program_of("task c\ninput x in [0, 4)\nlength 6\noutput y = x * (x - 2) // (x - 2)\n")
    proof = prove(spec, program)
    assert "divides by zero" in proof.reason
    assert proof.counterexample.inputs[-1] == (2,)
    assert "divides by 0" in proof.table()


def test_a_spec_that_may_divide_by_zero_is_left_unproved():
    spec = task_of("task d\ninput x in [0, 4)\nlength 6\noutput y = 12 // (x + x[t-1])\n")
    program = program_of("task c\ninput x in [0, 4)\nlength 6\noutput y = x\n")
    proof = prove(spec, program)
    assert proof.proved is None and "divides by a value" in proof.reason


def test_a_palindrome_spec_is_left_to_the_sampled_levels():
    spec = task_of("task p\ninput x in [0, 2)\nlength 6\noutput y = palindrome(x)\n")
    program = program_of("task c\ninput x in [0, 2)\nlength 6\noutput y = x\n")
    proof = prove(spec, program)
    assert proof.proved is None and "palindrome" in proof.reason


# Programs in the shape each extraction path writes (taken from generated/).
CORRECT = {
    "finite-state machine": (
        "task s\ninput x in [0, 3)\nlength 10\noutput y = sum(x) % 3\n",
        "state s = 0\nupdate s = (s + x) % 3\noutput y = s\n",
    ),
    "integer lattice": (
        "task s\ninput x in [0, 100)\nlength 10\noutput y = sum(x, last 4)\n",
        "state a = 0, b = 0, c = 0\nlet y_out = x + a + b + c\n"
        "update c = b\nupdate b = a\nupdate a = x\noutput y = y_out\n",
    ),
    "linear recurrence": (
        "task s\ninput F in [-10, 11)\nlength 10\nstate v = 0, p = 0\n"
        "update v = v + F\nupdate p = p + v\noutput y = p\n",
        "state s1 = 0, s2 = 0\nlet y_out = s2 * 3 - s1 + F\n"
        "update s1 = s1 + s2 + F * -5\nupdate s2 = s2 - F\noutput y = y_out\n",
    ),
    "symbol counts": (
        "task s\ninput x in [0, 10)\nlength 10\noutput y = count(x % 2 == 0)\n",
        "state c0 = 0, c2 = 0, c4 = 0, c6 = 0, c8 = 0\n"
        "update c0 = c0 + (x == 0)\nupdate c2 = c2 + (x == 2)\nupdate c4 = c4 + (x == 4)\n"
        "update c6 = c6 + (x == 6)\nupdate c8 = c8 + (x == 8)\n"
        "output y = c0 + c2 + c4 + c6 + c8\n",
    ),
}


@pytest.mark.parametrize("path", CORRECT)
def test_correct_programs_of_each_path_are_proved_for_every_length(path):
    spec, body = CORRECT[path]
    header = spec.split("output")[0].split("state")[0]
    proof = prove(task_of(spec), program_of(header + body))
    assert proof.proved == EVERY_LENGTH, proof.reason
    assert proof.invariant  # the relations it was proved with, for the module's provenance


def test_the_counterexample_is_what_the_programs_compute():
    spec = task_of(SUM_ALL)
    program = program_of(_sum_candidate("min(s + x, 300)"))
    proof = prove(spec, program)
    x = np.asarray(proof.counterexample.inputs, dtype=np.int64)[None]
    assert tuple(map(tuple, program.run(x)[0].tolist())) == proof.got
    assert proof.expected[-1] == (int(x.sum()),)


def test_a_running_minimum_of_a_named_value_is_proved_with_the_construction_facts():
    """balanced_parenthesis: the program's dead state is -1; the proof needs `min <= depth`
    (a fact of the streaming form), the spec's own `depth`, and the states before t = 0."""
    header = "task b\ninput p in {'(', ')'}\nlength 10\n"
    spec = task_of(
        header + "let depth = count(p == '(') - count(p == ')')\n"
        "output y = depth == 0 and min(depth) >= 0\n"
    )
    program = program_of(
        header + "state s = 0\nlet y_out = s * (s == p)\n"
        "update s = s + ((p == (s == -1)) - p)\noutput y = y_out\n"
    )
    proof = prove(spec, program)
    assert proof.proved == EVERY_LENGTH, proof.reason
    relation = "program.s == (if spec.min_depth < 0 then -1 else spec.depth)"
    assert any(relation in kept for kept in proof.invariant)


def test_a_register_that_starts_outside_the_alphabet_is_proved_from_the_first_position_on():
    """The program's register starts at -1 (no previous input), the spec's at its pad 0: they
    are equal only from t = 0 on, a relation learned on those positions alone."""
    header = "task v\ninput x in [0, 6)\nlength 10\n"
    spec = task_of(header + "output y = sum(if t >= 1 then abs(x - x[t-1]) else 0)\n")
    program = program_of(
        header + "state prev_x = -1, total_y = 0\n"
        "update total_y = total_y + abs((prev_x - x) * (prev_x != -1))\n"
        "update prev_x = x\noutput y = total_y\n"
    )
    proof = prove(spec, program)
    assert proof.proved == EVERY_LENGTH, proof.reason
    assert "not spec.t >= 0 or spec.prev_x == program.prev_x" in proof.invariant


def test_a_windowed_maximum_over_registers_that_start_at_zero_is_proved():
    """max(x, last 3) reads the current value before the start; the program reads registers
    that hold 0 until the second and third positions: true because x >= 0, inductive once the
    registers are known to hold their start before position k."""
    header = "task w\ninput x in [0, 5)\nlength 10\n"
    spec = task_of(header + "output y = max(x, last 3)\n")
    program = program_of(
        header + "state prev_x = 0, prev2_x = 0\nlet y_out = max(prev_x, prev2_x, x)\n"
        "update prev2_x = prev_x\nupdate prev_x = x\noutput y = y_out\n"
    )
    proof = prove(spec, program)
    assert proof.proved == EVERY_LENGTH, proof.reason
    assert "spec.t >= 1 or program.prev2_x == 0" in proof.invariant
