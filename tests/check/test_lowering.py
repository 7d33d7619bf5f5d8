"""Lowering: names resolved and syntax expressions turned into the IR."""

from __future__ import annotations

from mipsdsl import expr as E
from mipsdsl.data import make_dataset
from tests.check.conftest import HEAD, checked


def test_symbols_stand_for_their_index_and_can_be_compared():
    task, _ = checked("task d \"d\"\ninput p in {'(', ')'}\nlength 4\noutput y = count(p == ')')\n")
    assert task.inputs[0].symbols == ("(", ")") and task.inputs[0].values == (0, 1)
    assert task.outputs[0].expr.arg == E.Binary("==", E.Var("p"), E.Const(1))


def test_input_pad_is_what_a_shift_reads_before_the_start():
    task, _ = checked('task d "d"\ninput x in [0, 8) pad 7\nlength 3\noutput y = x[t-1]\n')
    assert task.outputs[0].expr == E.Shift(E.Var("x"), 1, 7)
    data = make_dataset(task, n=5, seed=0)
    assert (data.y[:, 0, 0] == 7).all()
    assert (data.y[:, 1:, 0] == data.x[:, :-1, 0]).all()


def test_lets_with_aggregates_are_sequence_level_and_others_step_level():
    task, _ = checked(
        HEAD + "state s = 0\nlet d = x * 2\nupdate s = s + d\nlet total = sum(x)\n"
        "output y = total - s\n"
    )
    levels = {step.name: step.sequence_level for step in task.steps if step.kind == "let"}
    assert levels == {"d": False, "total": True}


def test_min_and_max_are_aggregates_with_one_argument_and_elementwise_with_more():
    task, _ = checked(HEAD + "output y = max(x) + min(x, 1, 2)\n")
    e = task.outputs[0].expr
    assert e.left == E.Aggregate("max", E.Var("x"))
    assert e.right == E.Binary("min", E.Binary("min", E.Var("x"), E.Const(1)), E.Const(2))
