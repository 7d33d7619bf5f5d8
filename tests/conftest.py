"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
VECTORS = ROOT.parent / "shared" / "benchmark" / "vectors.json"


@pytest.fixture
def write_spec(tmp_path):
    """Write spec text to a temporary .mips file and return its path."""

    def write(text: str, name: str = "spec.mips") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
