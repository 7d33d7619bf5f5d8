"""The optional PySR backend: sympy expressions into the IR, and a clear refusal without Julia."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import sympy

from mipsdsl import expr as E
from mipsdsl.extract import pysr_backend
from mipsdsl.extract.pysr_backend import sympy_to_ir

s, x, p = sympy.symbols("s x p")
ROWS = np.random.default_rng(0).integers(-30, 30, size=(3, 400))
COLUMNS = {"s": ROWS[0], "x": ROWS[1], "p": ROWS[2] + 31}  # p > 0: a divisor


@pytest.mark.parametrize(
    "expression",
    [
        s + x,
        3 * s - x + 7,
        -s,
        sympy.Mod(s + x, 3),
        sympy.floor((s + x + p) / 2),
        sympy.floor(s / p),
        sympy.Abs(x - s),
        sympy.Max(s, x),
        sympy.Min(s, x, p),
        x**2 - s,
        sympy.sympify("2.0*s + 1.0"),  # PySR's floats with integer values
    ],
)
def test_integer_valued_sympy_expressions_become_equal_ir(expression):
    ir = sympy_to_ir(expression, ["s", "x", "p"])
    function = sympy.lambdify((s, x, p), expression, modules=[{"floor": np.floor}, "numpy"])
    expected = np.asarray(function(COLUMNS["s"], COLUMNS["x"], COLUMNS["p"]), dtype=np.float64)
    got = E.evaluate(ir, COLUMNS, (400,), 0)
    np.testing.assert_array_equal(got, expected.astype(np.int64))


@pytest.mark.parametrize(
    "expression, message",
    [
        (s / 2, "non-integer"),
        (sympy.sin(x), "no counterpart"),
        (s**10, "power"),
        (sympy.Symbol("q") + 1, "unknown variable"),
    ],
)
def test_expressions_without_an_integer_meaning_are_refused(expression, message):
    with pytest.raises(ValueError, match=message):
        sympy_to_ir(expression, ["s", "x", "p"])


def test_without_julia_the_backend_says_why(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(pysr_backend.shutil, "which", lambda name: None)
    monkeypatch.delenv("PYTHON_JULIACALL_EXE", raising=False)
    monkeypatch.delenv("JULIA_DEPOT_PATH", raising=False)
    assert "needs Julia" in pysr_backend.unavailable_reason()
    with pytest.raises(pysr_backend.PySRUnavailable, match="needs Julia"):
        pysr_backend.regress_pysr(COLUMNS, [COLUMNS["s"]])


@pytest.mark.skipif(
    pysr_backend.unavailable_reason() is not None,
    reason=f"PySR cannot run here: {pysr_backend.unavailable_reason()}",
)
def test_pysr_finds_a_sum():
    found = pysr_backend.regress_pysr(COLUMNS, [COLUMNS["s"] + COLUMNS["x"]])
    assert found.expressions[0] is not None


def test_every_sympy_function_maps_to_an_operator_of_the_table():
    for op in pysr_backend._SYMPY_OPERATORS.values():
        assert op in E.OPERATORS
