"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
EXAMPLES = ROOT / "examples"
VECTORS = ROOT.parent / "shared" / "benchmark" / "vectors.json"


@pytest.fixture
def write_spec(tmp_path):
    """Write spec text to a temporary .mips file and return its path."""

    def write(text: str, name: str = "spec.mips") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def training_cache(tmp_path_factory) -> Path:
    """One checkpoint cache for the whole session, so that each small task trains once."""
    return tmp_path_factory.mktemp("training-cache")


@pytest.fixture(scope="session")
def trained(training_cache):
    """`trained(name[, folder])`: the spec `name` (of the benchmark unless `folder` says
    otherwise) trained (budget 240 s) into `training_cache`,
    once per session; training is deterministic, so later tests may compile from that cache."""
    from mipsdsl.check import load_task
    from mipsdsl.train.options import SearchOptions
    from mipsdsl.train.search import train

    done = {}

    def get(name: str, folder: Path = SPECS):
        if (folder, name) not in done:
            task, _ = load_task(folder / f"{name}.mips", sample=0)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("MIPSDSL_CACHE_DIR", str(training_cache))
                done[folder, name] = (task, train(task, SearchOptions(budget=240)))
        return done[folder, name]

    return get
