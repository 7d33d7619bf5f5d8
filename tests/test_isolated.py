"""Modules checked in a child process: outputs come back exact, whatever their size, and the child
never outlives the process that verifies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from mipsdsl.verify import ModuleCandidate, VerifyOptions, verify_module
from tests.conftest import ROOT, SPECS
from tests.test_cli_verify import DOUBLING_MODULE
from tests.test_verify import ADD_MOD_3_MODULE, task_of

FAST = VerifyOptions(held_out=300, longer=30, exhaustive_limit=1000)


def test_a_module_path_verifies_in_a_child_process(tmp_path):
    path = tmp_path / "candidate.py"
    path.write_text(ADD_MOD_3_MODULE + f"import os\nassert os.getpid() != {os.getpid()}\n")
    assert verify_module(task_of("add_mod_3"), path, FAST).passed


def test_outputs_beyond_int64_come_back_exact(tmp_path):
    path = tmp_path / "doubling.py"
    path.write_text(DOUBLING_MODULE)
    x = np.zeros((2, 100, 1), dtype=np.int64)
    with ModuleCandidate(path, n_inputs=1, n_outputs=1, timeout=5) as candidate:
        got = candidate(x, np.array([100, 3]))
    assert got.shape == (2, 100, 1)
    assert got[0, :, 0].tolist() == [2 ** (t + 1) for t in range(100)]
    assert got[1, :, 0].tolist() == [2, 4, 8] + [0] * 97


def test_the_child_does_not_outlive_a_killed_parent(tmp_path):
    """SIGKILL gives the parent no chance to clean up; the child must notice on its own."""
    pid_file = tmp_path / "child.pid"
    module = tmp_path / "loops.py"
    module.write_text(
        f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "def run(xs):\n    while True:\n        pass\n"
    )
    parent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mipsdsl.cli",
            "verify",
            str(SPECS / "add_mod_3.mips"),
            str(module),
            "--timeout",
            "600",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.05)
        child = int(pid_file.read_text())
        time.sleep(0.3)  # into run()'s loop
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child):
        assert time.monotonic() < deadline, "the child kept running after its parent was killed"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
