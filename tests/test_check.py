"""Checker: names resolve into the IR, bounds are inferred, and mistakes become diagnostics."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl import bounds
from mipsdsl import expr as E
from mipsdsl.check import bounding, check, load_task
from mipsdsl.data import make_dataset, save_dataset
from mipsdsl.diagnostics import Severity, SpecError
from mipsdsl.syntax import parse

HEAD = 'task demo "d"\ninput x in [0, 3)\nlength 10\n'


def checked(text):
    return check(parse(text, "demo.mips"))


def errors_of(text):
    with pytest.raises(SpecError) as info:
        checked(text)
    return [d.message for d in info.value.diagnostics if d.severity is Severity.ERROR]


def test_declarative_output_becomes_ir_with_bounds():
    task, warnings = checked(HEAD + "output y = sum(x) % 3\n")
    assert warnings == []
    (out,) = task.outputs
    assert out.expr == E.Binary("%", E.Aggregate("sum", E.Var("x")), E.Const(3))
    assert (out.lo, out.hi, out.cardinality) == (0, 2, 3)
    assert task.inputs[0].values == (0, 1, 2) and task.length == (10, 10)
    assert task.data.size == 100_000 and task.data.train_fraction == 0.9


def test_windowed_sum_bounds_use_the_window_not_the_length():
    task, _ = checked('task d "d"\ninput x in [0, 100)\nlength 20\noutput y = sum(x, last 3)\n')
    assert (task.outputs[0].lo, task.outputs[0].hi) == (0, 297)


def test_state_bounds_come_from_unrolling_the_steps():
    task, _ = load_task("specs/newton_freebody.mips")
    # p after 10 steps of |F| <= 10: at most 10 * (1 + 2 + ... + 10) = 550
    assert (task.outputs[0].lo, task.outputs[0].hi) == (-550, 550)
    assert task.states == (("v", 0), ("p", 0))
    assert [s.kind for s in task.steps] == ["update", "update"]


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


def test_many_errors_are_reported_at_once():
    messages = errors_of(
        'task d "d"\ninput x in {0, 1}\nlength 10\n'
        "output a = nope\noutput b = frob(x)\noutput c = x[t+2]\nhint bogus 1\n"
    )
    assert len(messages) == 4
    assert any("unknown name 'nope'" in m for m in messages)
    assert any("unknown function 'frob'" in m for m in messages)
    assert any("t-k, not t+k" in m for m in messages)
    assert any("unknown hint 'bogus'" in m for m in messages)


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ("output y = x\noutput y = x\n", "already defined"),
        ("output y = sum(x, 2)\n", "takes one argument"),
        ("output y = abs(x, x)\n", "abs() takes one argument"),
        ("output y = sum(x, ties largest)\n", "'ties' applies to mode() only"),
        ("output y = palindrome(x, last 2)\n", "takes no 'last'"),
        ("output y = max(x, x, last 2)\n", "has no window"),
        ("state s = 0\nupdate s = s + x[t-1]\noutput y = s\n", "cannot look back"),
        ("state s = 0\nupdate s = count(x)\noutput y = s\n", "cannot use the aggregate count()"),
        ("update q = 1\noutput y = x\n", "'q' is not a state variable"),
        ("state s = 1 // 0\noutput y = x\n", "divides by zero"),
        ("output y = '('\n", "not a symbol of any input alphabet"),
        ("length 3\noutput y = x\n", "'length' is given more than once"),
        ("output y = 99999999999999999999 * x\n", "is too large"),
        ("output y = " + "-" * 150 + "x\n", "nested more than 100 levels deep"),
        ("output y = " + " + ".join(["x"] * 5000) + "\n", "nested too deeply to read"),
        (
            "output y = x\nlet late = 1\noutput z = late2\n",
            "unknown name 'late2'; did you mean 'late'?",
        ),
    ],
)
def test_checker_errors(extra, fragment):
    messages = errors_of(HEAD + extra)
    assert any(fragment in m for m in messages), messages


def test_absurd_data_sizes_are_refused_before_any_allocation():
    messages = errors_of(
        'task d "d"\ninput x in {0, 1}\nlength 500\noutput y = x\ndata size 50000000\n'
    )
    assert any("more than the" in m and "lower 'data size'" in m for m in messages)


def test_warnings_do_not_stop_the_task(write_spec):
    path = write_spec(
        'task d "d"\ninput x in {0, 1, 2}\nlength 10\ngenerate weighted {0: 1, 1: 2}\n'
        "state s = 0\noutput y = x * 0\noutput z = x\n"
    )
    task, diagnostics = load_task(path)
    assert all(d.severity is Severity.WARNING for d in diagnostics)
    messages = " | ".join(d.message for d in diagnostics)
    assert "never produces 2" in messages
    assert "'s' is never updated" in messages
    assert "output 'y' is 0 on every generated sequence" in messages
    assert "'z'" not in messages
    assert task.generator.parts[0].weights == ((0, 1.0), (1, 2.0))


def test_hints_are_validated_and_kept():
    task, _ = checked(HEAD + "output y = x\nhint hidden 3\nhint encoding onehot\n")
    assert task.hint("hidden") == 3 and task.hint("encoding") == "onehot"
    assert task.hint("layers") is None


def test_examples_spec_takes_its_data_from_the_file(write_spec, tmp_path):
    source, _ = load_task("specs/parity_all.mips")
    save_dataset(make_dataset(source, n=50, seed=1), tmp_path / "ex.npz")
    path = write_spec('task from_data "parity, by example"\ninput x in {0, 1}\nexamples "ex.npz"\n')
    task, _ = load_task(path)
    assert task.examples is not None and task.length == (10, 10)
    assert [(o.name, o.lo, o.hi, o.expr) for o in task.outputs] == [("y", 0, 1, None)]
    data = make_dataset(task, n=50, seed=5)
    order = np.lexsort(data.x[..., 0].T)
    reference = make_dataset(source, n=50, seed=1)
    ref_order = np.lexsort(reference.x[..., 0].T)
    assert (data.x[order] == reference.x[ref_order]).all()
    assert (data.y[order] == reference.y[ref_order]).all()


def test_examples_file_must_match_the_inputs(write_spec, tmp_path):
    np.savez(tmp_path / "two.npz", x=np.zeros((3, 4, 2), dtype=np.int64), y=np.zeros((3, 4)))
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "two.npz"\n')
    with pytest.raises(SpecError) as info:
        load_task(path)
    assert "must hold integers" in str(info.value) or "2 input channels" in str(info.value)
    np.savez(tmp_path / "out.npz", x=np.full((3, 4), 5), y=np.zeros((3, 4), dtype=np.int64))
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "out.npz"\n')
    with pytest.raises(SpecError, match="outside the alphabet of 'x'"):
        load_task(path)


def test_bounds_of_many_lets_take_work_linear_in_the_lets_not_lets_times_length(monkeypatch):
    lets = 2000
    text = 'task m "m"\ninput x in [0, 3)\nlength 1000\nstate s = 0\nupdate s = (s + x) % 5\n'
    text += "let a0 = x + s\n" + "".join(f"let a{i} = (a{i - 1} + x) % 7\n" for i in range(1, lets))
    text += f"output y = a{lets - 1} % 3\n"
    calls = []
    for module in (bounds, bounding):
        counted = module.interval
        monkeypatch.setattr(module, "interval", lambda *a, f=counted: calls.append(1) or f(*a))
    task, _ = checked(text)
    assert (task.outputs[0].lo, task.outputs[0].hi) == (0, 2)
    # the state's bounds repeat after a few steps: a few rounds over the lets, not 1,000
    assert lets <= len(calls) <= 10 * lets


def test_a_train_share_that_leaves_no_training_sequence_is_an_error():
    (message,) = errors_of(HEAD + "output y = x\ndata size 10 train 1%\n")
    assert message == "1% of 10 sequences leaves none for training"


def test_an_examples_file_name_with_a_nul_is_an_error():
    text = 'task d "d"\ninput x in {0, 1}\nexamples "a\0b.npz"\noutput y\n'
    assert errors_of(text) == ["an examples file name cannot hold a NUL character"]
