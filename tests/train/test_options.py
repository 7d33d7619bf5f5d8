"""Search options: the families a task's hints allow, and the training cache's key."""

from __future__ import annotations

import numpy as np

from mipsdsl.check import load_task
from mipsdsl.train.options import SearchOptions, cache_key
from tests.conftest import SPECS
from tests.train.conftest import small_task


def test_hints_on_encoding_or_head_keep_one_family(write_spec):
    from mipsdsl.train.options import families

    assert families(small_task(write_spec, "x[t-1]")) == (
        ("onehot", "classify"),
        ("raw", "regress"),
    )
    assert families(small_task(write_spec, "x[t-1]", hints="hint head classify")) == (
        ("onehot", "classify"),
    )
    assert families(small_task(write_spec, "x[t-1]", inputs="input x in [0, 100)")) == (
        ("raw", "regress"),
    )


def test_the_training_cache_key_depends_on_device_and_libraries(monkeypatch):
    task, _ = load_task(SPECS / "add_mod_3.mips")
    cpu = cache_key(task, SearchOptions(device="cpu"))
    assert cpu != cache_key(task, SearchOptions(device="cuda"))
    monkeypatch.setattr(np, "__version__", "9.9.9")
    assert cpu != cache_key(task, SearchOptions(device="cpu"))
