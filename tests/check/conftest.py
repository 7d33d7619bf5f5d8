"""Helpers for the checker's tests: a spec head, and a spec's task or its errors."""

from __future__ import annotations

import pytest

from mipsdsl.check import check
from mipsdsl.diagnostics import Severity, SpecError
from mipsdsl.syntax import parse

HEAD = 'task demo "d"\ninput x in [0, 3)\nlength 10\n'


def checked(text):
    return check(parse(text, "demo.mips"))


def errors_of(text):
    with pytest.raises(SpecError) as info:
        checked(text)
    return [d.message for d in info.value.diagnostics if d.severity is Severity.ERROR]
