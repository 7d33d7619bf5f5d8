"""Programs: validation, vectorised runs that agree with a spec's own stepping, division by zero
reported where it happens, and sound state bounds for sequences of any length."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl import expr as E
from mipsdsl.check import check, load_task
from mipsdsl.data import make_dataset
from mipsdsl.program import Program, Step, UndefinedValue, program_from_task, unroll
from mipsdsl.syntax import parse
from tests.conftest import SPECS

V, C, B = E.Var, E.Const, E.Binary

STATEFUL = sorted(p for p in SPECS.glob("*.mips") if "state " in p.read_text(encoding="utf-8"))


def program_from_text(text: str) -> Program:
    task, _ = check(parse(text, "program.mips"))
    return program_from_task(task)


def counter(limit: int | None = None) -> Program:
    grow = B("+", V("c"), C(1))
    update = grow if limit is None else B("min", grow, C(limit))
    return Program(("x",), (("c", 0),), (Step("update", "c", update),), (("y", V("c")),))


@pytest.mark.parametrize("spec", STATEFUL, ids=lambda p: p.stem)
def test_a_stateful_spec_as_a_program_computes_its_labels(spec):
    task, _ = load_task(spec, sample=0)
    data = make_dataset(task, n=300, seed=5, stream=9)
    got = program_from_task(task).run(data.x, data.lengths)
    assert np.array_equal(got, data.y)


def test_run_is_zero_past_each_end_and_ignores_what_lies_there():
    program = program_from_text(
        "task p\ninput x in [0, 3)\nlength 2..5\nstate s = 0\n"
        "update s = s + 12 // x\noutput y = s\n"
    )
    x = np.array([[[1], [2], [0], [0]], [[3], [1], [1], [2]]], dtype=np.int64)
    # sequence 0 ends after two positions: the zeros after it would divide by zero
    y = program.run(x, np.array([2, 4]))
    assert y[..., 0].tolist() == [[12, 18, 0, 0], [4, 16, 28, 34]]


def test_division_by_zero_names_the_value_the_sequence_and_the_position():
    program = program_from_text(
        "task p\ninput x in [0, 3)\nlength 4\nstate s = 0\nupdate s = s + x\n"
        "output y = 6 // (s - 2)\n"
    )
    x = np.array([[[0], [1], [0], [0]], [[1], [0], [1], [0]]], dtype=np.int64)
    with pytest.raises(UndefinedValue) as info:
        program.run(x)
    assert info.value.name == "y" and info.value.index == (1, 2)
    assert str(info.value) == "'y' divides by zero (sequence 1, position 2)"


def test_outputs_see_the_state_after_the_step():
    program = Program(
        ("x",), (("s", 10),), (Step("update", "s", B("+", V("s"), V("x"))),), (("y", V("s")),)
    )
    x = np.array([[[1], [2], [3]]], dtype=np.int64)
    assert program.run(x)[0, :, 0].tolist() == [11, 13, 16]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Program((), (), (), (("y", C(0)),)), "at least one input"),
        (lambda: Program(("x",), (), (), ()), "at least one output"),
        (lambda: Program(("x", "x"), (), (), (("y", C(0)),)), "already defined"),
        (lambda: Program(("class",), (), (), (("y", C(0)),)), "not a usable Python identifier"),
        (lambda: Program(("__x",), (), (), (("y", C(0)),)), "not a usable Python identifier"),
        (lambda: Program(("x",), (("s", 1.5),), (), (("y", C(0)),)), "must be an int"),
        (lambda: Program(("x",), (), (), (("y", V("z")),)), "reads z before it is defined"),
        (
            lambda: Program(("x",), (), (Step("update", "x", C(1)),), (("y", C(0)),)),
            "not a state variable",
        ),
        (
            lambda: Program(("x",), (), (), (("y", E.Shift(V("x"), 1)),)),
            "runs one step at a time",
        ),
        (lambda: Program(("x",), (), (), (("y", E.Position()),)), "runs one step at a time"),
        (
            lambda: Program(("x",), (), (), (("y", V("x")), ("z", V("y")))),
            "reads y before it is defined",
        ),
        (lambda: Program(("x",), (), (Step("set", "a", C(1)),), (("y", C(0)),)), "'let' or"),
        (
            lambda: Program(("x",), (), (Step("let", "a", V("x"), True),), (("y", C(0)),)),
            "sequence-level",
        ),
    ],
)
def test_malformed_programs_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_program_from_task_refuses_targets_that_need_the_whole_prefix():
    with pytest.raises(ValueError, match="Aggregate"):
        program_from_text("task p\ninput x in [0, 3)\nlength 4\noutput y = sum(x) % 3\n")


def test_bounds_of_a_carry_hold_for_any_length():
    task, _ = load_task(SPECS / "binary_addition.mips", sample=0)
    bounds = program_from_task(task).variable_bounds({"a": (0, 1), "b": (0, 1)})
    assert bounds["carry"] == (0, 1)
    assert bounds["total"] == (0, 3)
    assert bounds["y"] == (0, 1)


def test_a_state_that_keeps_growing_is_unbounded_and_a_capped_one_is_not():
    assert counter().variable_bounds({"x": (0, 1)})["c"] is None
    assert counter(limit=5).variable_bounds({"x": (0, 1)})["c"] == (0, 5)
    # an unbounded state modulo a constant is bounded again
    modulo = Program(
        ("x",),
        (("c", 0),),
        (Step("update", "c", B("+", V("c"), C(1))),),
        (("y", B("%", V("c"), C(3))), ("z", B("<", V("c"), C(3)))),
    )
    bounds = modulo.variable_bounds({"x": (0, 1)})
    assert bounds["y"] == (0, 2) and bounds["z"] == (0, 1)


def test_state_bounds_are_sound_on_long_runs():
    program = program_from_text(
        "task p\ninput x in [0, 4)\nlength 4\nstate s = 0, c = 1\n"
        "update s = (s * 3 + x) % 7\nupdate c = if s == 0 then 1 - c else c\n"
        "output y = s + c\n"
    )
    bounds = program.variable_bounds({"x": (0, 3)})
    x = np.random.default_rng(0).integers(0, 4, size=(200, 300, 1))
    y = program.run(x)
    lo, hi = bounds["y"]
    assert lo <= y.min() and y.max() <= hi
    assert bounds["s"] == (0, 6) and bounds["c"] == (0, 1)


def test_simplified_programs_compute_the_same_outputs():
    program = program_from_text(
        "task p\ninput x in [0, 3)\nlength 4\nstate s = 0\n"
        "update s = ((s + 0) * 1 + x * 1) % 3\noutput y = if not (s == 0) then s else 0 + 0\n"
    )
    simple = program.simplified()
    assert simple.steps[0].expr == B("%", B("+", V("s"), V("x")), C(3))
    assert simple.outputs[0][1] == E.Cond(B("!=", V("s"), C(0)), V("s"), C(0))
    x = np.random.default_rng(1).integers(0, 3, size=(100, 8, 1))
    assert np.array_equal(program.run(x), simple.run(x))


def test_unroll_records_only_the_values_read_afterwards():
    steps = [Step("let", "a", B("+", V("x"), C(1))), Step("let", "b", B("*", V("a"), C(2)))]
    x = np.array([[0, 1, 2]], dtype=np.int64)
    recorded, known = unroll((), steps, {"x": x}, np.ones(x.shape, dtype=bool), {"b", "x"})
    assert set(recorded) == {"b"} and recorded["b"].tolist() == [[2, 4, 6]]
    assert known["a"] == (1, 3) and known["b"] == (2, 6)


def test_a_program_refuses_a_regex_match_it_cannot_step():
    from mipsdsl.check.patterns import automaton

    match = E.Matches(E.Var("x"), automaton("ab*", ("a", "b"), (0, 1))[0])
    with pytest.raises(ValueError, match="Matches; a program runs one step at a time"):
        Program(("x",), (), (), (("y", match),))
