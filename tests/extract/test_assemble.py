"""Assembling formulas into a program: state order, cycles and outputs that read a state."""

from __future__ import annotations

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.assemble import Formulas, StateVariable, assemble


def test_assembly_orders_a_shift_register_and_drops_unused_states():
    formulas = Formulas(
        inputs=("x",),
        states=(
            StateVariable("p1", 0, E.Var("x")),
            StateVariable("p2", 0, E.Var("p1")),
            StateVariable("unused", 3, E.Binary("+", E.Var("unused"), E.Var("x"))),
        ),
        outputs=(("y", E.Binary("+", E.Var("p2"), E.Var("x"))),),
    )
    program = assemble(formulas)
    assert program.state_names == ("p1", "p2")
    x = np.arange(1, 7)[None, :, None]
    # y_t = x_t + x_{t-2}, reading the old states before they shift
    np.testing.assert_array_equal(program.run(x)[0, :, 0], [1, 2, 4, 6, 8, 10])


def test_assembly_breaks_a_swap_cycle_with_lets():
    formulas = Formulas(
        inputs=("x",),
        states=(StateVariable("a", 1, E.Var("b")), StateVariable("b", 2, E.Var("a"))),
        outputs=(("y", E.Binary("+", E.Binary("*", E.Var("a"), E.Const(10)), E.Var("x"))),),
    )
    program = assemble(formulas)
    x = np.zeros((1, 4, 1), dtype=np.int64)
    np.testing.assert_array_equal(program.run(x)[0, :, 0], [10, 20, 10, 20])


def test_an_output_equal_to_a_state_update_reads_the_state():
    update = E.Binary("%", E.Binary("+", E.Var("s"), E.Var("x")), E.Const(3))
    program = assemble(Formulas(("x",), (StateVariable("s", 0, update),), (("y", update),)))
    assert program.outputs == (("y", E.Var("s")),)
    assert all(step.kind == "update" for step in program.steps)
