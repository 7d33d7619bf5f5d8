"""`Task` and its parts: the derived properties every later stage reads."""

from __future__ import annotations

import pytest

from mipsdsl import expr as E
from mipsdsl.check import load_task
from mipsdsl.task import (
    DataConfig,
    Generator,
    GeneratorPart,
    InputChannel,
    OutputChannel,
    Task,
)
from tests.conftest import SPECS


def test_an_input_channel_is_bounded_by_its_sorted_codes():
    channel = InputChannel("p", (0, 1), symbols=("(", ")"))
    assert (channel.lo, channel.hi, channel.pad) == (0, 1, 0)
    assert (InputChannel("q", (-3, 2, 7)).lo, InputChannel("q", (-3, 2, 7)).hi) == (-3, 7)


def test_an_output_channel_counts_the_values_between_its_bounds():
    assert OutputChannel("y", E.Var("x"), -2, 2).cardinality == 5
    assert OutputChannel("y", None, 4, 4).cardinality == 1


def test_only_the_default_generator_is_uniform():
    assert Generator().is_uniform
    assert Generator(distinct=True).is_uniform  # duplicates dropped, values still uniform
    assert not Generator((GeneratorPart("weighted", weights=((0, 1.0),)),)).is_uniform
    palindrome_first = (GeneratorPart("palindrome", (2, 4)), GeneratorPart("uniform"))
    assert not Generator(palindrome_first).is_uniform


def test_a_task_reads_its_hints_and_longest_length():
    task = Task(
        name="d",
        description="",
        path="d.mips",
        sha256="0" * 64,
        inputs=(InputChannel("x", (0, 1)),),
        length=(2, 9),
        generator=Generator(),
        states=(),
        steps=(),
        outputs=(OutputChannel("y", E.Var("x"), 0, 1),),
        hints=(("hidden", 3),),
    )
    assert task.max_length == 9 and task.data == DataConfig()
    assert task.hint("hidden") == 3 and task.hint("layers") is None
    assert task.hint("layers", 2) == 2
    with pytest.raises(AttributeError):
        task.name = "other"  # frozen: a task is a value


def test_a_checked_benchmark_task_has_consistent_parts():
    task, _ = load_task(SPECS / "add_mod_3.mips", sample=0)
    assert [c.name for c in task.inputs] == ["x"] and task.inputs[0].values == (0, 1, 2)
    assert task.generator.is_uniform and task.examples is None
    assert len(task.sha256) == 64
    assert all(o.lo <= o.hi for o in task.outputs)
