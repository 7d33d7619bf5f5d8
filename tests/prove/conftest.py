"""Specs and candidate programs written inline, as .mips text."""

from __future__ import annotations

from mipsdsl.check import check
from mipsdsl.program import Program, program_from_task
from mipsdsl.syntax import parse
from mipsdsl.task import Task


def task_of(text: str) -> Task:
    task, _ = check(parse(text, "<test>"))
    return task


def program_of(text: str) -> Program:
    """A stateful spec's states, updates and outputs as a program."""
    return program_from_task(task_of(text))
