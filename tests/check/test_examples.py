"""The examples-file route: a spec whose outputs come from a data file."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.data import make_dataset, save_dataset
from mipsdsl.diagnostics import SpecError
from tests.check.conftest import errors_of


def test_examples_spec_takes_its_data_from_the_file(write_spec, tmp_path):
    source, _ = load_task("specs/parity_all.mips")
    save_dataset(make_dataset(source, n=50, seed=1), tmp_path / "ex.npz")
    path = write_spec('task from_data "parity, by example"\ninput x in {0, 1}\nexamples "ex.npz"\n')
    task, _ = load_task(path)
    assert task.examples is not None and task.length == (10, 10)
    assert [(o.name, o.lo, o.hi, o.expr) for o in task.outputs] == [("y", 0, 1, None)]
    data = make_dataset(task, n=50, seed=5)
    order = np.lexsort(data.x[..., 0].T)
    reference = make_dataset(source, n=50, seed=1)
    ref_order = np.lexsort(reference.x[..., 0].T)
    assert (data.x[order] == reference.x[ref_order]).all()
    assert (data.y[order] == reference.y[ref_order]).all()


def test_examples_file_must_match_the_inputs(write_spec, tmp_path):
    np.savez(tmp_path / "two.npz", x=np.zeros((3, 4, 2), dtype=np.int64), y=np.zeros((3, 4)))
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "two.npz"\n')
    with pytest.raises(SpecError) as info:
        load_task(path)
    assert "must hold integers" in str(info.value) or "2 input channels" in str(info.value)
    np.savez(tmp_path / "out.npz", x=np.full((3, 4), 5), y=np.zeros((3, 4), dtype=np.int64))
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "out.npz"\n')
    with pytest.raises(SpecError, match="outside the alphabet of 'x'"):
        load_task(path)


def test_an_examples_file_name_with_a_nul_is_an_error():
    text = 'task d "d"\ninput x in {0, 1}\nexamples "a\0b.npz"\noutput y\n'
    assert errors_of(text) == ["an examples file name cannot hold a NUL character"]


def _two_outputs(tmp_path, top: int) -> None:
    x = np.zeros((3, 4, 1), dtype=np.int64)
    y = np.stack([np.full((3, 4), 1), np.arange(12).reshape(3, 4) % (top + 1)], axis=-1)
    np.savez(tmp_path / "two.npz", x=x, y=y.astype(np.int64))


def test_outputs_are_named_in_a_comma_list_and_take_stated_bounds(write_spec, tmp_path):
    _two_outputs(tmp_path, top=7)
    spec = (
        'task d "d"\ninput x in {0, 1}\nexamples "two.npz"\noutput flag\noutput y0, y1 in [0, 40]\n'
    )
    with pytest.raises(SpecError, match="3 outputs are named"):
        load_task(write_spec(spec))
    path = write_spec(
        'task d "d"\ninput x in {0, 1}\nexamples "two.npz"\noutput y0, y1 in [0, 40]\n'
    )
    task, _ = load_task(path)
    assert [(o.name, o.lo, o.hi) for o in task.outputs] == [("y0", 0, 40), ("y1", 0, 40)]
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "two.npz"\noutput a, b\n')
    task, _ = load_task(path)
    assert [(o.name, o.lo, o.hi) for o in task.outputs] == [("a", 1, 1), ("b", 0, 7)]


def test_data_outside_the_stated_bounds_and_empty_bounds_are_errors(write_spec, tmp_path):
    _two_outputs(tmp_path, top=7)
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "two.npz"\noutput a, b in [0, 5]\n')
    with pytest.raises(SpecError, match=r"output 'b' reaches 7 in two.npz, outside its stated"):
        load_task(path)
    path = write_spec('task d "d"\ninput x in {0, 1}\nexamples "two.npz"\noutput a, b in [3, 1]\n')
    with pytest.raises(SpecError, match=r"the bounds \[3, 1\] are empty"):
        load_task(path)


def test_the_check_summary_says_which_bounds_come_from_the_data(write_spec, tmp_path, capsys):
    from mipsdsl.cli import main

    _two_outputs(tmp_path, top=7)
    path = write_spec(
        'task d "d"\ninput x in {0, 1}\nexamples "two.npz"\noutput a\noutput b in [0, 40]\n'
    )
    task, _ = load_task(path)
    assert [o.from_data for o in task.outputs] == [True, False]
    assert main(["check", str(path)]) == 0
    assert "a in [1, 1] (from the data), b in [0, 40]" in capsys.readouterr().out
