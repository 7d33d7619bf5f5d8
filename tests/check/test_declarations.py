"""Declarations: inputs, length, generator, data and hints checked and turned into `Task`
fields, with sizes no laptop could handle refused."""

from __future__ import annotations

from tests.check.conftest import HEAD, checked, errors_of


def test_absurd_data_sizes_are_refused_before_any_allocation():
    messages = errors_of(
        'task d "d"\ninput x in {0, 1}\nlength 500\noutput y = x\ndata size 50000000\n'
    )
    assert any("more than the" in m and "lower 'data size'" in m for m in messages)


def test_hints_are_validated_and_kept():
    task, _ = checked(HEAD + "output y = x\nhint hidden 3\nhint encoding onehot\n")
    assert task.hint("hidden") == 3 and task.hint("encoding") == "onehot"
    assert task.hint("layers") is None


def test_a_train_share_that_leaves_no_training_sequence_is_an_error():
    (message,) = errors_of(HEAD + "output y = x\ndata size 10 train 1%\n")
    assert message == "1% of 10 sequences leaves none for training"
