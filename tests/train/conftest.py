"""Helpers for the training tests: a private checkpoint cache per test, and a small task."""

from __future__ import annotations

import pytest

from mipsdsl.check import load_task


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))


def small_task(write_spec, target: str, inputs: str = "input x in {0, 1}", hints: str = ""):
    path = write_spec(
        f'task small "test"\n{inputs}\nlength 8\noutput y = {target}\n'
        f"data size 20000 seed 0\n{hints}\n"
    )
    task, _ = load_task(path, sample=0)
    return task
