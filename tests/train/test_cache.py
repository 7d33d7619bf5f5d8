"""The checkpoint cache is trusted only after a check: an entry that loads but is malformed, or
whose network is no longer exact, is trained again with a one-line note, and a cache that cannot
be written is said once."""

from __future__ import annotations

import shutil

import pytest
import torch

from mipsdsl.check import load_task
from mipsdsl.train import cache
from mipsdsl.train.options import SearchOptions
from mipsdsl.train.search import train
from tests.train.conftest import small_task

# a shift register at n=2, linear: one batch of three models trains it in about a second
SPEC = (
    'task shift "x[t-1]"\ninput x in {0, 1}\nlength 8\noutput y = x[t-1]\n'
    "data size 20000 seed 0\nhint transition linear\nhint hidden 2\n"
)


OPTIONS = SearchOptions(budget=60)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """The task, and a cache directory holding its exact network, trained once per module."""
    spec = tmp_path_factory.mktemp("spec") / "shift.mips"
    spec.write_text(SPEC, encoding="utf-8")
    task, _ = load_task(spec, sample=0)
    directory = tmp_path_factory.mktemp("good-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIPSDSL_CACHE_DIR", str(directory))
        trained = train(task, OPTIONS)
    return task, trained, directory


@pytest.fixture
def cached(good, tmp_path, monkeypatch):
    """A private copy of the good cache: (task, trained network, path of its entry)."""
    task, trained, directory = good
    shutil.copytree(directory, tmp_path / "cache")
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    return task, trained, tmp_path / "cache" / "train" / f"{trained.cache_key}.pt"


def train_noting(task):
    notes = []
    return train(task, OPTIONS, notes=notes.append), notes


def test_a_sound_entry_is_served_after_a_recheck(cached):
    task, first, _ = cached
    again, notes = train_noting(task)
    assert again.cached and notes == []
    assert again.rechecked_on >= 1000
    assert all(torch.equal(t, again.state[k]) for k, t in first.state.items())


def _no_metadata(entry):
    return {}


def _metadata_not_json(entry):
    return {**entry, "meta": "{not json"}


def _wrong_shapes(entry):
    return {
        **entry,
        "state": {
            k: torch.zeros(*t.shape[:-1], t.shape[-1] + 1) for k, t in entry["state"].items()
        },
    }


@pytest.mark.parametrize(
    "spoil, reason",
    [(_no_metadata, "no metadata"), (_metadata_not_json, "not JSON"), (_wrong_shapes, "weights")],
)
def test_a_malformed_entry_is_trained_again_with_a_note(cached, spoil, reason):
    task, _, path = cached
    torch.save(spoil(torch.load(path, weights_only=True)), path)
    again, notes = train_noting(task)
    assert not again.cached
    (note,) = notes
    assert "malformed" in note and reason in note and "training again" in note
    assert "\n" not in note
    assert train_noting(task)[0].cached  # the entry trained again replaced the spoiled one


def test_an_unreadable_entry_is_trained_again_with_a_note(cached):
    task, _, path = cached
    path.write_bytes(b"not a checkpoint")
    again, notes = train_noting(task)
    assert not again.cached
    (note,) = notes
    assert "unreadable" in note and "training again" in note


def test_a_network_no_longer_exact_is_not_served(cached):
    # the entry loads and fits its architecture, but its weights were randomised: the recheck on
    # load finds it wrong, and the network is trained again
    task, _, path = cached
    entry = torch.load(path, weights_only=True)
    generator = torch.Generator().manual_seed(0)
    entry["state"] = {
        k: torch.randn(t.shape, generator=generator) if "weights" in k else t
        for k, t in entry["state"].items()
    }
    torch.save(entry, path)
    again, notes = train_noting(task)
    assert not again.cached
    (note,) = notes
    assert "wrong on" in note and "training again" in note


def test_an_unwritable_cache_is_said_once(good, tmp_path, monkeypatch):
    task = good[0]
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(cache, "_unwritable", set())
    first, notes = train_noting(task)
    again, more = train_noting(task)
    assert not first.cached and not again.cached
    (note,) = notes
    assert "cannot be written" in note and str(blocker / "cache") in note
    assert more == []


def test_the_cli_prints_notes_on_stderr_and_says_what_the_recheck_covered(cached, capsys):
    from mipsdsl.cli import main

    task, _, path = cached
    assert main(["train", task.path, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "from cache" in out and "rechecked on" in out and err == ""
    torch.save({}, path)
    assert main(["train", task.path, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "from cache" not in out
    assert err.count("\n") == 1 and "malformed" in err


def test_cache_hit_skips_training_and_returns_the_same_weights(write_spec):
    task = small_task(
        write_spec, "x xor x[t-1]", hints="hint transition mlp\nhint hidden 2\nhint width 16"
    )
    first = train(task, SearchOptions(budget=120))
    second = train(task, SearchOptions(budget=120))
    assert not first.cached and second.cached
    assert first.cache_key == second.cache_key
    for name, tensor in first.state.items():
        assert torch.equal(tensor, second.state[name])
    again = train(task, SearchOptions(budget=120), force=True)
    assert not again.cached
