"""Helpers for the data tests: spec text, byte-for-byte comparison, and a task with mixed
alphabets and variable lengths."""

from __future__ import annotations

import pytest

from mipsdsl.check import load_task
from mipsdsl.diagnostics import Severity, SpecError


def spec(name: str, body: str, size: int = 2000) -> str:
    return f'task {name} "{name}"\n{body.strip()}\ndata size {size}\n'


def same(a, b) -> bool:
    """Same dtype, shape and bytes."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def same_dataset(a, b) -> bool:
    return same(a.x, b.x) and same(a.y, b.y) and same(a.lengths, b.lengths)


def spec_errors(path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_task(path)
    return [d.message for d in info.value.diagnostics if d.severity is Severity.ERROR]


MIXED = spec(
    "mixed",
    """
input p in {'(', ')'}
input q in {2, 5, 7}
input r in [-3, 2]
length 3..6
output y = count(p == ')') + q * r
""",
)


@pytest.fixture
def mixed(write_spec):
    task, warnings = load_task(write_spec(MIXED, "mixed.mips"))
    assert warnings == []
    return task
