"""The checker as a whole (`check`, `load_task`): a spec becomes a task with its IR and
bounds, every error is reported at once, and warnings do not stop the task."""

from __future__ import annotations

import pytest

from mipsdsl import expr as E
from mipsdsl.check import load_task
from mipsdsl.diagnostics import Severity
from tests.check.conftest import HEAD, checked, errors_of


def test_declarative_output_becomes_ir_with_bounds():
    task, warnings = checked(HEAD + "output y = sum(x) % 3\n")
    assert warnings == []
    (out,) = task.outputs
    assert out.expr == E.Binary("%", E.Aggregate("sum", E.Var("x")), E.Const(3))
    assert (out.lo, out.hi, out.cardinality) == (0, 2, 3)
    assert task.inputs[0].values == (0, 1, 2) and task.length == (10, 10)
    assert task.data.size == 100_000 and task.data.train_fraction == 0.9


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
