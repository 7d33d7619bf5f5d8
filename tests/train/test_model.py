"""The batched RNN: masking lets models of different sizes share one batch without affecting
each other."""

from __future__ import annotations

import pytest
import torch

from mipsdsl.train.model import Architecture, BatchedRNN


@pytest.mark.parametrize("g_depth", [1, 2])
def test_masked_models_are_independent_of_their_batch_mates(g_depth):
    small = Architecture(1, 2, 4, g_depth=g_depth)
    alone = BatchedRNN([small], [5], 2, 2)
    together = BatchedRNN([Architecture(3, 2, 8, g_depth=g_depth), small], [9, 5], 2, 2)
    x = torch.randn(16, 6, 2)
    out_alone, _ = alone(x)
    out_together, hidden = together(x)
    assert torch.allclose(out_alone[0], out_together[1], atol=1e-6)
    assert torch.count_nonzero(hidden[1, ..., 1:]) == 0  # units beyond n=1 stay zero
    rebuilt = BatchedRNN([small], [0], 2, 2)
    rebuilt.load_state_dict(together.weights_of(1))
    assert torch.allclose(rebuilt(x)[0][0], out_alone[0], atol=1e-6)
