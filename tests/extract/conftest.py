"""Helpers for the extraction tests: stand-in counters, traced, discretized or handed to a path as
its context, and two benchmark tasks."""

from __future__ import annotations

import pytest

from mipsdsl.check import load_task
from mipsdsl.extract.context import Context, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.fsm import discretize
from mipsdsl.extract.trace import CHECK_STREAM, trace
from tests.conftest import SPECS
from tests.extract_standins import StandIn, circle


def machine_of(network, task, n=500):
    alphabets = tuple(c.values for c in task.inputs)
    fit = trace(network, task, n, 0)
    check = trace(network, task, n, 0, CHECK_STREAM)
    return discretize(network, alphabets, fit, check)


def counter(k: int, noise: float = 0.0):
    """y = s' = (s + x) % k, states embedded on a circle."""
    embed, decode = circle(k)
    return StandIn(
        update=lambda s, x: (s + x[:, 0]) % k,
        output=lambda s, x: ((s + x[:, 0]) % k)[:, None],
        embed=embed,
        decode=decode,
        noise=noise,
    )


@pytest.fixture(scope="module")
def add_mod_5():
    return load_task(SPECS / "add_mod_5.mips")[0]


@pytest.fixture(scope="module")
def parity():
    return load_task(SPECS / "parity_all.mips")[0]


def context_of(network, task, n=500, head="classify", seconds=10.0, max_size=7) -> Context:
    """What a path reads: `network` traced on `task`'s inputs, with the enumerative search."""
    fit = trace(network, task, n, 0)
    check = trace(network, task, n, 0, CHECK_STREAM)
    alphabets = tuple(c.values for c in task.inputs)
    names = tuple(c.name for c in task.inputs), tuple(o.name for o in task.outputs)
    return Context(
        network, head, alphabets, *names, fit, check, Regression(seconds, max_size, regress)
    )
