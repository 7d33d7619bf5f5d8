"""`mipsc check` and `mipsc data` as a user meets them: exit codes, messages, files, no
tracebacks."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mipsdsl.check.context import FUNCTIONS, RESERVED
from mipsdsl.cli import main
from tests.conftest import SPECS

GOOD = str(SPECS / "add_mod_3.mips")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return status, out, err


def test_check_ok_prints_a_summary(capsys):
    status, out, _ = run(capsys, "check", GOOD, str(SPECS / "newton_magnetic.mips"))
    assert status == 0
    assert "ok  add_mod_3: inputs x in [0, 3); length 10; outputs y in [0, 2]" in out
    assert "2 of 2 specs ok" in out


def test_check_json_reports_each_spec(capsys, write_spec):
    bad = write_spec("task d\ninput x in {0, 1}\nlength 4\noutput y = z\n")
    status, out, _ = run(capsys, "check", "--json", GOOD, str(bad))
    assert status == 1
    report = json.loads(out)
    assert [entry["ok"] for entry in report] == [True, False]
    (diagnostic,) = report[1]["diagnostics"]
    assert diagnostic["line"] == 4 and diagnostic["column"] == 12
    assert diagnostic["message"] == "unknown name 'z'"


@pytest.mark.parametrize(
    "content, status, fragment",
    [
        (b"", 1, "missing 'task' statement"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", 1, "is not UTF-8 text"),
        (
            b"task d\ninput x in {0, 1}\nlength 4\noutput y = (x\n",
            1,
            "4:14: error: unexpected end of line",
        ),
        (b"task d\r\ninput x in {0, 1}\r\nlength 4\r\noutput y = x\r\n", 0, ""),
    ],
)
def test_check_exit_codes_for_file_contents(capsys, tmp_path, content, status, fragment):
    path = tmp_path / "s.mips"
    path.write_bytes(content)
    got, _, err = run(capsys, "check", str(path))
    assert got == status
    assert fragment in err


def test_missing_files_and_directories_are_usage_errors(capsys, tmp_path):
    assert run(capsys, "check", str(tmp_path / "nope.mips"))[0] == 2
    status, _, err = run(capsys, "check", str(tmp_path))
    assert status == 2 and "is a directory" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["compile-everything"],
        ["check"],
        ["data", GOOD, "-n", "many"],
        ["data", GOOD, "-n", "-3"],
        ["data", GOOD, "--length", "0"],
        ["data", GOOD, "--seed", "-1"],
        ["check", GOOD, "--frobnicate"],
    ],
)
def test_bad_arguments_exit_2_with_usage(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: mipsc" in capsys.readouterr().err


def test_data_prints_a_readable_table(capsys):
    status, out, _ = run(capsys, "data", str(SPECS / "balanced_parenthesis.mips"), "-n", "2")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "balanced_parenthesis: 2 of 2 sequences"
    assert lines[1].split() == ["#0"] + [str(t) for t in range(10)]
    assert lines[2].split()[:2] == ["in", "p"] and set(lines[2].split()[2:]) <= {"(", ")"}
    assert lines[3].split()[:2] == ["out", "y"]


def test_data_writes_npz_deterministically(capsys, tmp_path):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    spec = str(SPECS / "newton_magnetic.mips")
    assert run(capsys, "data", spec, "-n", "64", "--seed", "3", "-o", str(first))[0] == 0
    assert run(capsys, "data", spec, "-n", "64", "--seed", "3", "-o", str(second), "-q")[0] == 0
    with np.load(first) as a, np.load(second) as b:
        assert a["x"].shape == (64, 10, 2) and a["y"].shape == (64, 10, 2)
        assert a["x"].dtype == np.int64 and a["y"].dtype == np.int64
        for key in ("x", "y", "lengths"):
            assert np.array_equal(a[key], b[key])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "b.npz"]  # no temp files


def test_data_length_override(capsys, tmp_path):
    out = tmp_path / "long.npz"
    assert run(capsys, "data", GOOD, "-n", "8", "--length", "100", "-o", str(out))[0] == 0
    with np.load(out) as data:
        assert data["x"].shape == (8, 100, 1)
        assert np.array_equal(data["y"][..., 0], np.cumsum(data["x"][..., 0], axis=1) % 3)


def test_data_refuses_bad_destinations_and_writes_nothing(capsys, tmp_path, write_spec):
    status, _, err = run(capsys, "data", GOOD, "-o", str(tmp_path / "no" / "such" / "d.npz"))
    assert status == 2 and "does not exist" in err
    status, _, err = run(capsys, "data", GOOD, "-o", str(tmp_path))
    assert status == 2 and "is a directory" in err
    bad = write_spec("task d\ninput x in {0, 1}\nlength 4\noutput y = 1 // (x - x)\n")
    status, _, err = run(capsys, "data", str(bad), "-o", str(tmp_path / "d.npz"))
    assert status == 1 and "divides by zero" in err
    assert not (tmp_path / "d.npz").exists()


def test_too_many_distinct_sequences_is_a_clean_error(capsys, write_spec):
    spec = write_spec(
        "task d\ninput x in {0, 1}\nlength 3\ngenerate uniform without duplicates\noutput y = x\n"
    )
    status, _, err = run(capsys, "data", str(spec), "-n", "9")
    assert status == 1 and "only 8 distinct input sequences exist" in err


def test_console_entry_point_runs_without_traceback(tmp_path):
    bad = tmp_path / "bad.mips"
    bad.write_text("task d\ninput x in [0, 3)\nlength 10\noutput y = sum(q)\n")
    result = subprocess.run(
        [sys.executable, "-m", "mipsdsl.cli", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "bad.mips:4:16: error: unknown name 'q'" in result.stderr
    assert "Traceback" not in result.stderr


# ---- property: no text makes `mipsc check` fail other than with clean diagnostics ----

# The language's keywords and functions come from the checker, so that new ones are fuzzed too.
VOCABULARY = (
    sorted(RESERVED)
    + list(FUNCTIONS)
    + [
        "hidden",
        "x",
        "y",
        "s",
        "=",
        "+",
        "-",
        "*",
        "//",
        "%",
        "==",
        "<",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "..",
        "0",
        "1",
        "2",
        "3",
        "10",
        "-1",
        "99999999999",
        "'('",
        '"q"',
        "\n",
        "#",
        "t-1",
        "%",
    ]
)

SPEC_TEXTS = [p.read_text() for p in sorted(SPECS.glob("*.mips"))[:12]]


@st.composite
def mutated_specs(draw):
    text = draw(st.sampled_from(SPEC_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        text = text[:i] + draw(st.sampled_from(VOCABULARY + [""])) + text[j:]
    return text


token_soup = st.lists(st.sampled_from(VOCABULARY), max_size=40).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), token_soup, mutated_specs()))
def test_any_text_gives_a_clean_result(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.mips"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(["check", str(path)])
    assert status in (0, 1), err.getvalue()
    assert "internal error" not in err.getvalue()


# ---- mipsc train ----


@pytest.mark.parametrize("budget", ["0", "-5", "nan", "soon", "1e9"])
def test_train_rejects_bad_budgets(capsys, budget):
    with pytest.raises(SystemExit) as info:
        main(["train", GOOD, "--budget", budget])
    assert info.value.code == 2
    assert "--budget" in capsys.readouterr().err


def test_train_rejects_bad_devices_and_specs(capsys, tmp_path, write_spec, monkeypatch):
    with pytest.raises(SystemExit) as info:
        main(["train", GOOD, "--device", "tpu"])
    assert info.value.code == 2
    capsys.readouterr()
    if not torch.cuda.is_available():
        status, _, err = run(capsys, "train", GOOD, "--device", "cuda")
        assert status == 2 and "CUDA is not available" in err
    bad = write_spec("task d\ninput x in {0, 1}\nlength 4\noutput y = q\n")
    status, _, err = run(capsys, "train", str(bad))
    assert status == 1 and "unknown name 'q'" in err
    assert run(capsys, "train", str(tmp_path / "missing.mips"))[0] == 2


def test_train_json_reports_the_winner(capsys, write_spec, tmp_path, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    spec = write_spec("task d\ninput x in {0, 1}\nlength 6\noutput y = x[t-1]\ndata size 5000\n")
    status, out, _ = run(capsys, "train", str(spec), "--json", "--budget", "120")
    assert status == 0
    summary = json.loads(out)
    assert summary["task"] == "d" and summary["architecture"]["depth"] == 1
    assert summary["cached"] is False
    winners = [a["architecture"] for a in summary["attempts"] if a["solved"]]
    assert summary["architecture"] == winners[-1]  # the last solved attempt is the smallest
    status, out, _ = run(capsys, "train", str(spec), "--json")
    assert json.loads(out)["cached"] is True


def test_a_path_the_system_refuses_is_a_usage_error(tmp_path, capsys):
    too_long = "o" * 300
    assert main(["data", GOOD, "-o", str(tmp_path / f"{too_long}.npz")]) == 2
    assert main(["verify", GOOD, f"{too_long}.py"]) == 2
    err = capsys.readouterr().err
    assert "File name too long" in err and "internal error" not in err


def test_a_sparse_alphabet_with_a_huge_span_is_summarised(write_spec, capsys):
    spec = write_spec('task t "a"\ninput x in {0, 4611686018427387903}\nlength 2\noutput y = x\n')
    assert main(["check", str(spec)]) == 0
    assert "{0, 4611686018427387903}" in capsys.readouterr().out


def test_version_names_mipsdsl_torch_numpy_and_python(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert out.startswith("mipsc (mipsdsl) 0.1.0;")
    assert f"torch {torch.__version__}" in out and f"numpy {np.__version__}" in out
    assert f"Python {sys.version.split()[0]}" in out


def test_cache_path_follows_cache_dir_and_clear_removes_the_networks(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "default"))
    assert run(capsys, "cache", "path")[1].strip() == str(tmp_path / "default")
    cache = tmp_path / "mine"
    (cache / "train").mkdir(parents=True)
    (cache / "train" / "a.pt").write_bytes(b"x" * 2000)
    (cache / "keep.txt").write_text("not a network")
    status, out, _ = run(capsys, "cache", "path", "--cache-dir", str(cache))
    assert status == 0 and out.strip() == str(cache)
    status, out, _ = run(capsys, "cache", "clear", "--cache-dir", str(cache))
    assert status == 0 and "removed 1 cached network (0.0 MB)" in out
    assert not (cache / "train" / "a.pt").exists() and (cache / "keep.txt").exists()
    status, _, err = run(capsys, "cache", "clear", "--cache-dir", str(cache / "keep.txt"))
    assert status == 2 and "is not a directory" in err


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_prints_a_script_that_completes_commands_and_options(capsys, shell, tmp_path):
    status, script, _ = run(capsys, "completion", shell)
    assert status == 0 and ("bashcompinit" in script) == (shell == "zsh")
    if shell == "zsh":
        return
    probe = (
        f"{script}\n"
        "COMP_WORDS=(mipsc comp); COMP_CWORD=1; _mipsc; echo ${COMPREPLY[@]}\n"
        "COMP_WORDS=(mipsc compile --ch); COMP_CWORD=2; _mipsc; echo ${COMPREPLY[@]}\n"
        "COMP_WORDS=(mipsc cache c); COMP_CWORD=2; _mipsc; echo ${COMPREPLY[@]}\n"
    )
    (tmp_path / "spec.mips").touch()  # file names are offered where no option is typed
    done = subprocess.run(
        ["bash", "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["compile completion", "--check", "clear"]
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"{script}\nCOMP_WORDS=(mipsc check s); COMP_CWORD=2; _mipsc; echo ${{COMPREPLY[@]}}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout.strip() == "spec.mips"
