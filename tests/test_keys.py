"""The compile key depends on what determines the program, never on installed library versions;
the training cache's key does, and on the device too."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.cli import main
from mipsdsl.pipeline import CompileOptions, check_module, compile_key
from mipsdsl.train.options import SearchOptions, cache_key
from tests.conftest import ROOT, SPECS

MODULE = ROOT / "generated" / "add_mod_3.py"


@pytest.fixture
def other_libraries(monkeypatch):
    """Pretend a patch release of numpy and torch is installed."""
    real = importlib.metadata.version
    fake = {"numpy": "9.9.9", "torch": "9.9.9+cpu"}
    monkeypatch.setattr(importlib.metadata, "version", lambda name: fake.get(name) or real(name))
    monkeypatch.setattr(np, "__version__", "9.9.9")


@pytest.mark.skipif(not MODULE.is_file(), reason="generated/add_mod_3.py is not committed")
def test_the_compile_key_ignores_library_versions(other_libraries):
    task, _ = load_task(SPECS / "add_mod_3.mips")
    assert compile_key(task, CompileOptions(output_dir=MODULE.parent)) in MODULE.read_text()


@pytest.mark.skipif(not MODULE.is_file(), reason="generated/add_mod_3.py is not committed")
def test_check_notes_other_library_versions_without_failing(other_libraries, capsys):
    checked = check_module(SPECS / "add_mod_3.mips", CompileOptions(output_dir=MODULE.parent))
    assert checked.problem is None
    assert "numpy" in checked.note and "9.9.9" in checked.note
    code = main(["compile", "--check", "-o", str(MODULE.parent), str(SPECS / "add_mod_3.mips")])
    out = capsys.readouterr().out
    assert code == 0 and "note: built with" in out


def test_the_training_cache_key_depends_on_device_and_libraries(monkeypatch):
    task, _ = load_task(SPECS / "add_mod_3.mips")
    cpu = cache_key(task, SearchOptions(device="cpu"))
    assert cpu != cache_key(task, SearchOptions(device="cuda"))
    monkeypatch.setattr(np, "__version__", "9.9.9")
    assert cpu != cache_key(task, SearchOptions(device="cpu"))
