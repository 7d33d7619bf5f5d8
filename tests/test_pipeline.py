"""The compile pipeline's bookkeeping: the compile key depends on what determines the program,
never on installed library versions; where modules go; what is refused before a run starts; and
what `--check` finds wrong with a module."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.cli import main
from mipsdsl.pipeline import CompileOptions, check_module, compile_key, module_path, preflight
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


def test_the_module_path_is_the_task_name_in_the_output_directory(tmp_path):
    task, _ = load_task(SPECS / "add_mod_3.mips", sample=0)
    assert module_path(task, CompileOptions(output_dir=tmp_path)) == tmp_path / "add_mod_3.py"


def test_the_compile_key_follows_the_spec_and_the_options_that_change_results(write_spec):
    task, _ = load_task(SPECS / "add_mod_3.mips", sample=0)
    key = compile_key(task, CompileOptions())
    assert key == compile_key(task, CompileOptions()) and len(key) == 64
    assert key == compile_key(task, CompileOptions(output_dir=Path("elsewhere"), force=True))
    assert key != compile_key(task, CompileOptions(max_formula_size=7))
    assert key != compile_key(task, CompileOptions(seeds=1))
    text = (SPECS / "add_mod_3.mips").read_text(encoding="utf-8")
    edited, _ = load_task(write_spec(text + "\n# a comment\n", "add_mod_3.mips"), sample=0)
    assert compile_key(edited, CompileOptions()) != key  # the spec's text is part of it


def test_switching_a_mechanism_off_changes_the_compile_key(write_spec):
    task, _ = load_task(SPECS / "add_mod_3.mips", sample=0)
    key = compile_key(task, CompileOptions())
    assert compile_key(task, CompileOptions(without=frozenset())) == key
    assert compile_key(task, CompileOptions(without=frozenset({"membership"}))) != key


def test_preflight_gives_every_reason_a_run_would_fail_before_it_starts(write_spec, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "add_mod_3.py").write_text("# written by hand\n", encoding="utf-8")
    twin = write_spec((SPECS / "add_mod_3.mips").read_text(encoding="utf-8"), "twin.mips")
    problems = preflight([SPECS / "add_mod_3.mips", twin], CompileOptions(output_dir=out))
    assert problems == [
        f"'{out / 'add_mod_3.py'}' was not written by mipsc: use --force to replace it",
        f"'{twin}' and '{SPECS / 'add_mod_3.mips'}' are both task 'add_mod_3'",
    ]
    assert preflight([SPECS / "add_mod_3.mips"], CompileOptions(output_dir=out, force=True)) == []
    broken = write_spec("task broken\ninput x in [0, 2)\nlength 4\noutput y = nope\n", "b.mips")
    assert preflight([broken, SPECS / "add_mod_3.mips"], CompileOptions(output_dir=out)) == [
        problems[0]
    ]  # a spec that does not check is left to its own compile
    missing = preflight([SPECS / "add_mod_3.mips"], CompileOptions(output_dir=tmp_path / "no"))
    assert missing == [f"cannot write to the output directory '{tmp_path / 'no'}'"]


def test_check_module_names_what_is_wrong_with_a_module(tmp_path):
    options = CompileOptions(output_dir=tmp_path)
    spec = SPECS / "add_mod_3.mips"
    assert check_module(spec, options).problem == f"{tmp_path / 'add_mod_3.py'} does not exist"
    (tmp_path / "add_mod_3.py").write_text("def run(xs):\n    return xs\n", encoding="utf-8")
    assert "has no __provenance__ written by mipsc" in check_module(spec, options).problem


def project(tmp_path, table: str, module: bool = True) -> Path:
    """A project directory with add_mod_3's spec, its committed module, and a pyproject.toml."""
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "add_mod_3.mips", tmp_path / "specs")
    (tmp_path / "out").mkdir()
    if module:
        shutil.copy(MODULE, tmp_path / "out")
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'p'\n\n[tool.mipsc]\n{table}")
    return tmp_path


@pytest.mark.skipif(not MODULE.is_file(), reason="generated/add_mod_3.py is not committed")
def test_check_with_no_specs_checks_the_project_of_tool_mipsc(tmp_path, monkeypatch, capsys):
    table = 'specs = ["specs/*.mips"]\nexclude = ["specs/o*"]\noutput-dir = "out"\n'
    root = project(tmp_path, table + "regress-budget = 30\n")
    (root / "specs" / "other.mips").write_text("not even a spec")  # excluded
    monkeypatch.chdir(root)
    assert main(["compile", "--check"]) == 1  # compiled with 60 s of formula search, not 30
    assert capsys.readouterr().out == (
        "FAIL specs/add_mod_3.mips: out/add_mod_3.py is stale "
        "(the spec, the options or mipsdsl changed)\n"
    )
    monkeypatch.chdir(root / "specs")  # found going up; paths relative to pyproject.toml
    assert main(["compile", "--check", "--regress-budget", "60"]) == 0  # the command line wins
    assert capsys.readouterr().out == "ok  add_mod_3.mips\n"


@pytest.mark.skipif(not MODULE.is_file(), reason="generated/add_mod_3.py is not committed")
def test_check_diff_shows_what_compiling_would_change_in_the_module(
    tmp_path, monkeypatch, capsys, trained, training_cache
):
    trained("add_mod_3")  # the network, from the session's training cache
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(training_cache))
    root = project(tmp_path, 'specs = ["specs/*.mips"]\noutput-dir = "out"\n')
    monkeypatch.chdir(root)
    assert main(["compile", "--check", "--diff"]) == 0
    assert "---" not in capsys.readouterr().out  # nothing would change
    committed = (root / "out" / "add_mod_3.py").read_text()
    assert main(["compile", "--check", "--diff", "--regress-budget", "30"]) == 1
    out = capsys.readouterr().out
    assert "--- out/add_mod_3.py (committed)\n+++ out/add_mod_3.py (compiled now)\n" in out
    task, _ = load_task(root / "specs" / "add_mod_3.mips", sample=0)
    old, new = compile_key(task, CompileOptions()), compile_key(
        task, CompileOptions(regress_seconds=30.0)
    )
    changed = [
        line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")
    ]
    assert any(line.startswith("-") and old in line for line in changed)
    assert any(line.startswith("+") and new in line for line in changed)
    assert (root / "out" / "add_mod_3.py").read_text() == committed  # --check writes nothing
    assert sorted(p.name for p in (root / "out").iterdir()) == ["add_mod_3.py"]
    assert main(["compile", "--diff"]) == 2
    assert "--diff goes with --check" in capsys.readouterr().err


@pytest.mark.parametrize(
    "table, message",
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ("budget = 'long'\n", "'budget' = 'long' is not a number of seconds"),
        ("specs = 'specs'\n", "is not a list of glob patterns"),
        ('specs = ["nothing/*.mips"]\n', "match no file"),
        ("budget = [\n", "cannot read"),
    ],
)
def test_a_bad_tool_mipsc_table_is_a_usage_error(tmp_path, monkeypatch, capsys, table, message):
    monkeypatch.chdir(project(tmp_path, table, module=False))
    assert main(["compile", "--check"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_no_specs_and_no_tool_mipsc_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    assert main(["compile", "--check"]) == 2
    assert "no [tool.mipsc] specs" in capsys.readouterr().err


def test_a_task_given_by_examples_keeps_the_smallest_program_of_every_path(
    write_spec, tmp_path, monkeypatch
):
    # two paths whose programs are both right everywhere: with a target the first is taken; with
    # only an examples file, nothing tells a program that merely fits it, so the smaller wins
    from types import SimpleNamespace

    from mipsdsl import expr as E
    from mipsdsl.data import make_dataset, save_dataset
    from mipsdsl.extract import paths
    from mipsdsl.extract.assemble import Formulas
    from mipsdsl.extract.context import Extraction
    from mipsdsl.pipeline import _extract_and_verify, _Stopwatch

    x = E.Var("x")
    programs = {"larger": E.Binary("*", E.Binary("+", x, E.Const(0)), E.Const(1)), "smaller": x}
    found = [
        SimpleNamespace(
            NAME=name,
            extract=lambda ctx, name=name, e=e: Extraction(
                name, Formulas(("x",), (), (("y", e),)), True, "", ""
            ),
        )
        for name, e in programs.items()
    ]
    monkeypatch.setattr(paths, "in_order", lambda ctx: iter(found))
    spec = write_spec("task copy\ninput x in {0, 1}\nlength 6\noutput y = x\n", "copy.mips")
    task, _ = load_task(spec, sample=0)
    options = CompileOptions(output_dir=tmp_path)
    assert _extract_and_verify(task, None, options, _Stopwatch())[0].path == "larger"
    save_dataset(make_dataset(task, n=200), tmp_path / "copy.npz")
    given = write_spec('task copy\ninput x in {0, 1}\nexamples "copy.npz"\noutput y\n', "e.mips")
    examples, _ = load_task(given, sample=0)
    assert _extract_and_verify(examples, None, options, _Stopwatch())[0].path == "smaller"
