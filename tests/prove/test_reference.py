"""The streaming reference gives the spec's own labels: on every benchmark spec, and on random
sequence-level expressions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from mipsdsl import expr as E
from mipsdsl.check import load_task
from mipsdsl.data.label import label
from mipsdsl.errors import DataError
from mipsdsl.program import UndefinedValue
from mipsdsl.prove.reference import NotStreamable, reference_program
from mipsdsl.task import InputChannel, OutputChannel, Task
from tests.prove.conftest import task_of
from tests.strategies import NAMES, expressions

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.mips"))


def _inputs(task: Task, n: int, length: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    columns = [rng.choice(np.asarray(c.values), size=(n, length)) for c in task.inputs]
    return np.stack(columns, axis=-1).astype(np.int64)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_reference_labels_equal_the_specs_on_every_benchmark_spec(spec):
    task, _ = load_task(spec)
    if any(
        isinstance(node, E.Aggregate) and node.kind == "palindrome"
        for output in task.outputs
        for node in E.walk(output.expr)
    ):
        with pytest.raises(NotStreamable, match="palindrome"):
            reference_program(task)
        return
    reference = reference_program(task).program
    length = 3 * task.max_length  # past the spec's length, where windows and folds keep going
    x = _inputs(task, 500, length, seed=1)
    lengths = np.full(len(x), length)
    want = label(task, x, lengths, exact=True)
    assert np.array_equal(np.asarray(reference.run(x, lengths), dtype=object), want)


def test_shared_registers_and_the_counter_are_made_once():
    task = task_of(
        "task t\ninput x in [0, 5)\nlength 6\n" "output y = x[t-1] + x[t-3] + min(x, last 3) + t\n"
    )
    reference = reference_program(task).program
    registers = [name for name, _ in reference.states if name.startswith("prev")]
    counters = [name for name, initial in reference.states if initial == -1]
    # x's shifts share one chain of three registers; min's window reads the same chain
    assert len(registers) == 3 and len(counters) == 1


def test_mode_of_a_value_with_too_many_values_is_not_streamable():
    task = task_of("task t\ninput x in [0, 1000)\nlength 6\noutput y = mode(x)\n")
    with pytest.raises(NotStreamable, match="mode"):
        reference_program(task)


def _task_for(e: E.Expr) -> Task:
    inputs = tuple(InputChannel(name, (-3, -1, 0, 2, 5)) for name in NAMES)
    output = OutputChannel("out", e, -(10**9), 10**9)
    return Task("random", "", "<test>", "", inputs, (1, 8), None, (), (), (output,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(depth=3))
def test_reference_labels_equal_the_evaluators_on_random_expressions(e):
    task = _task_for(e)
    try:
        reference = reference_program(task).program
    except NotStreamable:
        assume(False)
        return
    x = _inputs(task, 64, 8, seed=2)
    lengths = np.full(len(x), 8)
    try:
        want = label(task, x, lengths, exact=True)
    except DataError:  # division by zero in the spec: the reference must meet it too
        with pytest.raises(UndefinedValue):
            reference.run(x, lengths)
        return
    assert np.array_equal(np.asarray(reference.run(x, lengths), dtype=object), want)
