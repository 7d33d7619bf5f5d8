"""The committed modules in generated/: each is what compiling its spec would write (not stale,
not edited by hand), imports nothing from mipsdsl, torch or numpy, matches its spec, and reads
well in a diff (no line over 100 characters, a provenance of a dozen keys)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mipsdsl.check import load_task
from mipsdsl.emit.provenance import read_provenance
from mipsdsl.pipeline import CompileOptions, check_module
from mipsdsl.verify import VerifyOptions, load_module, verify_module
from tests.conftest import ROOT, SPECS

MODULES = sorted((ROOT / "generated").glob("*.py"))


@pytest.mark.skipif(not MODULES, reason="generated/ holds no modules yet")
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_committed_module_is_current_and_correct(module: Path):
    spec = SPECS / f"{module.stem}.mips"
    assert spec.is_file(), f"{module.name} has no spec"
    problem = check_module(spec, CompileOptions(output_dir=module.parent)).problem
    assert problem is None, problem
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"mipsdsl", "torch", "numpy"}
    task, _ = load_task(spec)
    verdict = verify_module(
        task, load_module(module), VerifyOptions(held_out=2000, longer=200, exhaustive_limit=5000)
    )
    assert verdict.passed, verdict.report()


@pytest.mark.skipif(not MODULES, reason="generated/ holds no modules yet")
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_committed_module_reads_well_in_a_diff(module: Path):
    lines = module.read_text(encoding="utf-8").splitlines()
    longest = max(lines, key=len)
    assert len(longest) <= 100, longest
    provenance, _ = read_provenance(module)
    assert len(provenance) <= 15
    assert {"spec", "versions", "seed", "compile_key", "verification"} <= set(provenance)
    assert "labellings_tried" not in str(provenance)  # search logs go to the reports
