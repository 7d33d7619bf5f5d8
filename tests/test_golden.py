"""Golden tests: `mipsc check` on malformed specs prints exactly the diagnostics in the .err file.

Regenerate after an intended change with `MIPSDSL_UPDATE_GOLDEN=1 pytest tests/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mipsdsl.cli import main

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.mips"))


@pytest.mark.parametrize("name", CASES)
def test_check_diagnostics_match_golden(name, capsys, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent)
    spec = f"tests/golden/{name}.mips"
    status = main(["check", "--quiet", spec])
    captured = capsys.readouterr()
    expected_path = GOLDEN / f"{name}.err"
    if os.environ.get("MIPSDSL_UPDATE_GOLDEN"):
        expected_path.write_text(f"exit {status}\n{captured.err}", encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8")
    assert f"exit {status}\n{captured.err}" == expected
    assert "Traceback" not in captured.err
