"""The recent-inputs path: a stand-in network whose state is its previous input, over an
alphabet too large for a machine, read as a shift register; one that keeps more is refused."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.paths import recent_inputs
from mipsdsl.verify import verify
from tests.extract.conftest import context_of
from tests.extract_standins import StandIn, line


@pytest.fixture
def spec(tmp_path):
    def write(target: str):
        path = tmp_path / "task.mips"
        path.write_text(f"task t\ninput x in [-50, 50)\nlength 8\noutput y = {target}\n")
        return load_task(path, sample=0)[0]

    return write


def _register(output, noise=0.01):
    """The state is the last input (0 before the first), on a line with a little noise."""
    return StandIn(
        update=lambda s, x: x[:, 0],
        output=output,
        embed=line(0.1)[0],
        decode=line(0.1)[1],
        noise=noise,
    )


def test_the_previous_input_over_100_values_is_read_as_a_register(spec):
    task = spec("abs(x - x[t-1])")
    network = _register(lambda s, x: np.abs(x[:, 0] - s)[:, None])
    extraction = recent_inputs.extract(context_of(network, task, n=2000, head="regress"))
    assert extraction.details["inputs_back"] == 1 and extraction.symbolic
    assert verify(task, assemble(extraction.formulas)).passed


def test_a_network_that_keeps_a_running_maximum_is_refused(spec):
    """Neither max(x) nor its increments are a function of the last few inputs."""
    task = spec("max(x)")
    network = StandIn(
        update=lambda s, x: np.maximum(s, x[:, 0]),
        output=lambda s, x: np.maximum(s, x[:, 0])[:, None],
        initial=-50,
        embed=line(0.1)[0],
        decode=line(0.1)[1],
    )
    with pytest.raises(ExtractionError):
        recent_inputs.extract(context_of(network, task, n=2000, head="regress"))


def test_a_running_total_of_a_function_of_recent_inputs_is_read_as_one(spec):
    """The state packs (total, previous input) in one integer: the future depends on the total,
    but the outputs' increments are |x - x[t-1]| (0 at the start)."""
    task = spec("sum(if t >= 1 then abs(x - x[t-1]) else 0)")

    def total(s, x):
        previous, so_far = s % 1000 - 100, s // 1000
        return so_far + np.where(s == 0, 0, np.abs(x[:, 0] - previous))

    network = StandIn(
        update=lambda s, x: total(s, x) * 1000 + x[:, 0] + 100,
        output=lambda s, x: total(s, x)[:, None],
        embed=line(1.0)[0],
        decode=line(1.0)[1],
    )
    extraction = recent_inputs.extract(
        context_of(network, task, n=2000, head="regress", max_size=9)
    )
    assert "running totals" in extraction.method and extraction.details["inputs_back"] == 1
    assert verify(task, assemble(extraction.formulas)).passed


def test_a_running_total_whose_increments_follow_the_position_reads_its_phase(spec):
    """The state packs (total, t mod 2) in one integer: the increment is x at even positions
    and 0 at odd ones, a function of no input history."""
    task = spec("sum(if t % 2 == 0 then x else 0)")

    def total(s, x):
        return s // 2 + np.where(s % 2 == 0, x[:, 0], 0)

    network = StandIn(
        update=lambda s, x: total(s, x) * 2 + 1 - s % 2,
        output=lambda s, x: total(s, x)[:, None],
        embed=line(1.0)[0],
        decode=line(1.0)[1],
    )
    context = context_of(network, task, n=2000, head="regress", max_size=9)
    extraction = recent_inputs.extract(context)
    assert "over the position modulo 2" in extraction.method
    assert "position-phase" in extraction.mechanisms
    assert verify(task, assemble(extraction.formulas)).passed
    off = dataclasses.replace(context, without=frozenset({"position-phase"}))
    with pytest.raises(ExtractionError):
        recent_inputs.extract(off)
