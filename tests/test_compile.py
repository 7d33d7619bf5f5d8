"""`mipsc compile` end to end: spec -> trained network -> state machine -> formulas -> verified
module, on small benchmark tasks within a test budget (training is shared with the search tests)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from mipsdsl.check import load_task
from mipsdsl.cli import main
from mipsdsl.data import make_dataset, save_dataset
from mipsdsl.emit.provenance import read_provenance
from mipsdsl.verify import load_module
from tests.conftest import EXAMPLES, SPECS


@pytest.fixture
def shared_cache(training_cache, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(training_cache))


def compile_(capsys, *argv):
    status = main(["compile", "--quiet", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return status, out, err


@pytest.mark.parametrize(
    "name, path",
    [
        ("parity_all", "finite-state machine"),
        ("bitwise_xor", "finite-state machine"),
        ("add_mod_3", "finite-state machine"),
        ("binary_addition", "finite-state machine"),
        ("sum_last2", "integer lattice"),
        ("prev4", "integer lattice"),  # an identified network: its 5 units are a lattice
        ("majority_0_1", "symbol counts"),
        ("balanced_parenthesis", "finite-state machine"),  # a counter continued past length 10
    ],
)
def test_benchmark_tasks_compile_to_verified_formulas(
    name, path, trained, shared_cache, tmp_path, capsys
):
    task, network = trained(name)
    status, out, err = compile_(capsys, SPECS / f"{name}.mips", "-o", tmp_path, "--json")
    assert status == 0, err
    (report,) = json.loads(out)
    assert report["symbolic"] and report["extraction_path"] == path
    assert report["architecture"] == network.arch.describe()
    assert report["trained_seconds"] == round(network.seconds, 2)  # as first trained
    module = load_module(tmp_path / f"{name}.py")
    data = make_dataset(task, n=300, seed=99, stream=11)
    for x, y, length in zip(data.x, data.y, data.lengths, strict=True):
        xs = [int(v[0]) if len(task.inputs) == 1 else tuple(map(int, v)) for v in x[:length]]
        assert module.run(xs) == [int(v[0]) for v in y[:length]]
    provenance, edited = read_provenance(tmp_path / f"{name}.py")
    assert not edited and provenance["verification"]["passed"]
    assert provenance["extraction"]["symbolic"] and provenance["extraction"]["path"] == path


def test_a_vote_between_two_channels_compiles_to_counts_of_their_pairs(
    trained, shared_cache, tmp_path, capsys
):
    """Our own spec: how often a beat b is counted over the pairs (a, b), not per channel."""
    task, _ = trained("a_beats_b", EXAMPLES)
    spec = EXAMPLES / "a_beats_b.mips"
    status, out, err = compile_(capsys, spec, "-o", tmp_path, "--json")
    assert status == 0, err
    (report,) = json.loads(out)
    assert report["symbolic"] and report["extraction_path"] == "symbol counts"
    assert "joint input symbols" in report["method"] and report["proved"] == "every length"
    module = load_module(tmp_path / "a_beats_b.py")
    rng = np.random.default_rng(5)
    for _ in range(100):
        pairs = [tuple(map(int, p)) for p in rng.integers(0, 3, size=(60, 2))]
        wins = np.cumsum([a > b for a, b in pairs]) > np.cumsum([b > a for a, b in pairs])
        assert module.run(pairs) == wins.astype(int).tolist()  # 6x the trained length


def test_recompiling_an_unchanged_spec_does_nothing_and_check_passes(
    trained, shared_cache, tmp_path, capsys
):
    trained("parity_all")
    spec = SPECS / "parity_all.mips"
    assert compile_(capsys, spec, "-o", tmp_path)[0] == 0
    written = (tmp_path / "parity_all.py").read_bytes()
    status, out, _ = compile_(capsys, spec, "-o", tmp_path, "--json")
    assert status == 0 and json.loads(out)[0]["up_to_date"]
    assert (tmp_path / "parity_all.py").read_bytes() == written
    status, out, _ = compile_(capsys, spec, "-o", tmp_path, "--check")
    assert status == 0 and out.startswith("ok")
    # --force recompiles, and the same spec and seed give the same bytes
    assert compile_(capsys, spec, "-o", tmp_path, "--force")[0] == 0
    assert (tmp_path / "parity_all.py").read_bytes() == written


def test_check_fails_on_a_hand_edited_or_stale_module(trained, shared_cache, tmp_path, capsys):
    trained("parity_all")
    spec = tmp_path / "parity_all.mips"
    shutil.copy(SPECS / "parity_all.mips", spec)
    assert compile_(capsys, spec, "-o", tmp_path)[0] == 0
    module = tmp_path / "parity_all.py"
    text = module.read_text()
    module.write_text(text.replace("INITIAL_STATE = (0,)", "INITIAL_STATE = (1,)"))
    status, out, _ = compile_(capsys, spec, "-o", tmp_path, "--check")
    assert status == 1 and "edited by hand" in out
    module.write_text(text)
    spec.write_text(spec.read_text().replace("Parity of all bits so far.", "Parity."))
    status, out, _ = compile_(capsys, spec, "-o", tmp_path, "--check")
    assert status == 1 and "stale" in out
    (tmp_path / "other").mkdir()
    status, out, _ = compile_(capsys, spec, "-o", tmp_path / "other", "--check")
    assert status == 1 and "does not exist" in out


def test_a_failed_verification_names_the_stage_and_writes_nothing(
    write_spec, tmp_path, monkeypatch, capsys
):
    # the output turns 0 at position 12, past the trained length: the network says 1 wherever it
    # was trained, and so does every program read out of it, which the 10x-longer level refutes
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    spec = write_spec(
        'task late "1 up to position 11, then 0"\ninput x in {0, 1}\nlength 10\n'
        "output y = t < 12\ndata size 20000 seed 0\n"
    )
    out_dir = tmp_path / "out"
    status, _, err = compile_(capsys, spec, "-o", out_dir)
    assert status == 1
    assert "late: verify failed" in err and "longer" in err
    assert "counterexample" in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_a_spec_given_by_examples_compiles_the_same_way(write_spec, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    defined = write_spec(
        'task previous "x[t-1]"\ninput x in {0, 1}\nlength 8\noutput y = x[t-1]\n'
        "data size 20000 seed 0\n",
        "defined.mips",
    )
    task, _ = load_task(defined)
    save_dataset(make_dataset(task), tmp_path / "previous.npz")
    by_example = write_spec(
        'task previous "by example"\ninput x in {0, 1}\nexamples "previous.npz"\noutput y\n',
        "by_example.mips",
    )
    out_dir = tmp_path / "out"
    status, out, err = compile_(capsys, by_example, "-o", out_dir, "--json")
    assert status == 0, err
    (report,) = json.loads(out)
    assert report["symbolic"]
    provenance, _ = read_provenance(out_dir / "previous.py")
    levels = provenance["verification"]["levels"].values()
    assert [level["passed"] for level in levels] == [True] * len(levels)
    module = load_module(out_dir / "previous.py")
    assert module.run([1, 0, 1, 1]) == [0, 1, 0, 1]


def test_jobs_compile_specs_in_parallel_processes(trained, shared_cache, tmp_path, capsys):
    trained("parity_all"), trained("bitwise_xor")
    specs = [SPECS / "parity_all.mips", SPECS / "bitwise_xor.mips"]
    out_dir, report = tmp_path / "out", tmp_path / "report"
    status, out, err = compile_(
        capsys, *specs, "-o", out_dir, "--jobs", "2", "--json", "--report", report
    )
    assert status == 0, err
    assert sorted(r["task"] for r in json.loads(out)) == ["bitwise_xor", "parity_all"]
    assert sorted(p.name for p in out_dir.iterdir()) == ["bitwise_xor.py", "parity_all.py"]
    # the search's log is in the report, not in the module
    rows = json.loads((report / "compile.json").read_text())["rows"]
    assert all(row["search"]["details"] for row in rows)
    assert "labellings_tried" in json.dumps(rows)
    assert "labellings_tried" not in (out_dir / "parity_all.py").read_text()


def test_a_rerun_from_the_cache_says_so(trained, shared_cache, tmp_path, capsys):
    _, network = trained("add_mod_3")
    status = main(["compile", str(SPECS / "add_mod_3.mips"), "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 0
    assert f"add_mod_3: training: cached (trained in {network.seconds:.1f} s)" in err


def test_missing_specs_are_usage_errors(capsys, tmp_path):
    status, _, err = compile_(capsys, tmp_path / "nope.mips", "-o", tmp_path)
    assert status == 2 and "does not exist" in err
    status, _, err = compile_(capsys, SPECS, "-o", tmp_path)
    assert status == 2 and "is a directory" in err


@pytest.mark.parametrize("option, value", [("--budget", "0"), ("--jobs", "0"), ("--seed", "-1")])
def test_bad_option_values_are_usage_errors(option, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["compile", str(SPECS / "parity_all.mips"), option, value])
    assert exit_.value.code == 2 and option in capsys.readouterr().err


def test_a_spec_with_errors_gets_its_diagnostics(write_spec, tmp_path, capsys):
    bad = write_spec("task t\ninput x in {0, 1}\nlength 4\noutput y = z\n")
    status, _, err = compile_(capsys, bad, "-o", tmp_path)
    assert status == 1 and ":4:" in err and "z" in err
    assert list(tmp_path.iterdir()) == [bad]


def test_an_output_path_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("")
    status, _, err = compile_(capsys, SPECS / "parity_all.mips", "-o", target)
    assert status == 2 and "not a directory" in err


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="this machine has CUDA; the refusal is for one without"
)
@pytest.mark.parametrize("command", ["compile", "bench"])
def test_device_cuda_without_cuda_is_a_clear_error(command, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    argv = [command, str(SPECS / "parity_all.mips"), "-o", str(tmp_path), "--device", "cuda", "-q"]
    if command == "bench":
        argv += ["--report", str(tmp_path / "report")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--device cuda: CUDA is not available on this machine" in err and "Traceback" not in err
    assert not (tmp_path / "parity_all.py").exists()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA, and this machine has none")
def test_a_spec_compiles_on_cuda(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    status, out, err = compile_(
        capsys, SPECS / "parity_all.mips", "-o", tmp_path, "--device", "cuda", "--json"
    )
    assert status == 0, err
    (report,) = json.loads(out)
    assert report["symbolic"] and report["verification"]["held-out"] == "passed"
