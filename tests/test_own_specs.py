"""Our own specs (examples/ and the probes in examples/probes/) stay valid as the language
changes: each loads, is named after its file, and labels generated data within its bounds."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.data import make_dataset
from tests.conftest import EXAMPLES

OWN_SPECS = sorted(EXAMPLES.glob("*.mips")) + sorted((EXAMPLES / "probes").glob("*.mips"))


def test_there_are_our_own_specs_and_probes():
    assert len(list(EXAMPLES.glob("*.mips"))) >= 10 and (EXAMPLES / "probes").is_dir()


@pytest.mark.parametrize("spec", OWN_SPECS, ids=lambda p: p.stem)
def test_each_own_spec_loads_and_labels_data(spec):
    task, _ = load_task(spec)
    assert task.name == spec.stem
    data = make_dataset(task, n=200, seed=1)
    valid = np.arange(data.y.shape[1])[None, :] < data.lengths[:, None]
    for o, output in enumerate(task.outputs):  # labels inside the bounds the checker gave
        labels = data.y[..., o][valid]
        assert output.lo <= labels.min() and labels.max() <= output.hi
