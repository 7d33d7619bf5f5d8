"""The 62 benchmark specs reproduce the MIPS catalogue: every shared test vector exactly, the
declared channels and alphabets, and generated inputs that stay in the alphabet."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.data import make_dataset
from mipsdsl.data.label import label
from tests.conftest import SPECS, VECTORS

SPEC_FILES = sorted(SPECS.glob("*.mips"))
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_file(),
    reason=f"benchmark vectors not found at {VECTORS} (shared/ folder absent)",
)


@pytest.fixture(scope="module")
def vectors():
    with open(VECTORS, encoding="utf-8") as handle:
        return {name.lower(): entry for name, entry in json.load(handle).items()}


@needs_vectors
def test_there_is_one_spec_per_benchmark_task(vectors):
    assert sorted(p.stem for p in SPEC_FILES) == sorted(vectors)


@needs_vectors
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_spec_reproduces_every_vector(spec, vectors):
    task, warnings = load_task(spec)
    assert warnings == []
    assert task.name == spec.stem
    entry = vectors[task.name]
    assert len(task.inputs) == entry["input_channels"]
    assert len(task.outputs) == entry["output_channels"]
    assert task.length == (entry["length"], entry["length"])
    lo, hi = entry["alphabet"]
    for channel in task.inputs:
        assert channel.values == tuple(range(lo, hi))
    x = np.array([case["x"] for case in entry["cases"]], dtype=np.int64).reshape(
        len(entry["cases"]), entry["length"], entry["input_channels"]
    )
    expected = np.array([case["y"] for case in entry["cases"]], dtype=np.int64).reshape(
        len(entry["cases"]), entry["length"], entry["output_channels"]
    )
    got = label(task, x, np.full(len(x), x.shape[1]))
    mismatched = np.argwhere((got != expected).any(axis=(1, 2))).ravel()
    assert mismatched.size == 0, f"case {mismatched[0]}: x={x[mismatched[0]].tolist()}"


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_generated_data_stays_in_bounds(spec):
    task, _ = load_task(spec, sample=0)
    data = make_dataset(task, n=3000, seed=11)
    for c, channel in enumerate(task.inputs):
        assert np.isin(data.x[..., c], channel.values).all()
    for o, output in enumerate(task.outputs):
        assert output.lo <= data.y[..., o].min() and data.y[..., o].max() <= output.hi
    assert data.n_train == round(3000 * task.data.train_fraction)
