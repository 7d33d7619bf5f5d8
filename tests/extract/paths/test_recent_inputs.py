"""The recent-inputs path: a stand-in network whose state is its previous input, over an
alphabet too large for a machine, read as a shift register; one that keeps more is refused."""

from __future__ import annotations

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


def test_a_network_that_keeps_a_running_sum_is_refused(spec):
    task = spec("sum(x)")
    network = StandIn(
        update=lambda s, x: s + x[:, 0],
        output=lambda s, x: (s + x[:, 0])[:, None],
        embed=line(0.1)[0],
        decode=line(0.1)[1],
    )
    with pytest.raises(ExtractionError):
        recent_inputs.extract(context_of(network, task, n=2000, head="regress"))
