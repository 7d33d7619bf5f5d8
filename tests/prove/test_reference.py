"""The streaming reference gives the spec's own labels: on every benchmark spec, and on random
sequence-level expressions, the new constructs (run, distinct, changes, `full`, matches) among
them; and the prover proves hand-written candidates against those."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mipsdsl import expr as E
from mipsdsl.check import load_task
from mipsdsl.check.patterns import automaton
from mipsdsl.data.label import label
from mipsdsl.errors import DataError
from mipsdsl.program import UndefinedValue
from mipsdsl.prove import prove
from mipsdsl.prove.reference import NotStreamable, may_divide_by_zero, reference_program
from mipsdsl.task import InputChannel, OutputChannel, Task
from tests.prove.conftest import program_of, task_of
from tests.strategies import NAMES, expressions

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.mips"))
VALUES = (-3, -1, 0, 2, 5)  # the alphabet of the random tasks


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
    inputs = tuple(InputChannel(name, VALUES) for name in NAMES)
    output = OutputChannel("out", e, -(10**9), 10**9)
    return Task("random", "", "<test>", "", inputs, (1, 8), None, (), (), (output,))


def _streams_like_the_evaluator(e: E.Expr) -> None:
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
    try:
        got = reference.run(x, lengths)
    except UndefinedValue:  # registers divide where the spec's `if` never reads: the prover
        assert may_divide_by_zero(reference)  # leaves such specs to the sampled levels
        return
    assert np.array_equal(np.asarray(got, dtype=object), want)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(depth=3))
def test_reference_labels_equal_the_evaluators_on_random_expressions(e):
    _streams_like_the_evaluator(e)


# ---- the constructs of run, distinct, changes, `full` windows and matches ----

SYMBOLS = ("a", "b", "c", "d", "e")  # stand for the test alphabet's values, in order
PATTERNS = ("a(bc)*", "[ab]*e?", "(a|b)+c", "[^e]*", ".(a.)*|d+", "")
NEW_KINDS = ("run", "distinct", "changes", "sum", "all", "min", "mode")


@st.composite
def _new_constructs(draw, depth=2):
    """A random new construct over a random IR tree, inside a random IR tree."""
    inner = draw(expressions(depth=1))
    if draw(st.booleans()):
        pattern = draw(st.sampled_from(PATTERNS))
        node: E.Expr = E.Matches(inner, automaton(pattern, SYMBOLS, VALUES)[0])
    else:
        window = draw(st.one_of(st.none(), st.integers(1, 5)))
        full = window is not None and draw(st.booleans())
        node = E.Aggregate(draw(st.sampled_from(NEW_KINDS)), inner, window, full=full)
    if depth == 0 or draw(st.booleans()):
        return node
    other = draw(_new_constructs(depth - 1))
    return E.Binary(draw(st.sampled_from(("+", "-", "*", "max"))), node, other)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_new_constructs())
def test_the_streaming_form_of_the_new_constructs_equals_their_evaluation(e):
    _streams_like_the_evaluator(e)


PROVED = [
    (
        'matches(x, "1(01)*")',
        "state want = 1, ok = 1\nlet good = ok and x == want\n"
        "update ok = good\nupdate want = 1 - x\noutput y = good and x == 1\n",
    ),
    (
        "run(x, last 4)",
        "state r = 0, p = 0, n = 0\nlet same = n > 0 and x == p\n"
        "update r = if same then min(r + 1, 4) else 1\nupdate p = x\nupdate n = 1\noutput y = r\n",
    ),
    (
        "changes(x)",
        "state c = 0, p = 0, n = 0\nupdate c = c + (n > 0 and x != p)\n"
        "update p = x\nupdate n = 1\noutput y = c\n",
    ),
    (
        "distinct(x)",
        "state s0 = 0, s1 = 0\nupdate s0 = s0 or x == 0\nupdate s1 = s1 or x == 1\n"
        "output y = s0 + s1\n",
    ),
    (
        "all(x == 0, last 2, full)",
        "state z = 0, n = 0\nlet both = n > 0 and z and x == 0\n"
        "update z = x == 0\nupdate n = 1\noutput y = both\n",
    ),
]


@pytest.mark.parametrize("target, candidate", PROVED, ids=[t for t, _ in PROVED])
def test_the_prover_proves_hand_written_candidates_for_the_new_constructs(target, candidate):
    head = "task t\ninput x in {0, 1}\nlength 8\n"
    proof = prove(task_of(f"{head}output y = {target}\n"), program_of(head + candidate))
    assert proof.reason == "proved by induction"


def test_the_automaton_is_one_bounded_state_of_the_streaming_form():
    task = task_of('task t\ninput x in {0, 1}\nlength 6\noutput y = matches(x, "1(01)*")\n')
    reference = reference_program(task)
    assert [name for name, _ in reference.program.states] == ["dfa_x"]
    assert not any(E.is_sequence_level(s.expr) for s in reference.program.steps)
    assert any("dfa_x" in E.free_vars(fact) for fact in reference.facts)
