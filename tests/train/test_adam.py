"""Our Adam is torch.optim.Adam's CPU update, bit for bit, so replacing it changed no network."""

import math

import torch

from mipsdsl.train.adam import Adam


def _parameters(seed: int) -> list[torch.nn.Parameter]:
    generator = torch.Generator().manual_seed(seed)
    shapes = [(3, 4, 5), (3, 1, 5), (7,)]
    return [torch.nn.Parameter(torch.randn(s, generator=generator)) for s in shapes]


def _loss(parameters: list[torch.nn.Parameter], step: int) -> torch.Tensor:
    # a loss whose gradient changes with the step and the weights: tanh and a square
    return sum(((p * (step % 5 + 1)).tanh() ** 2).sum() + p.sum() for p in parameters)


def test_our_steps_equal_torch_adams_bit_for_bit_with_a_changing_learning_rate():
    ours, theirs = _parameters(0), _parameters(0)
    mine = Adam(ours, lr=1e-2)
    reference = torch.optim.Adam(theirs, lr=1e-2, foreach=False)
    for step in range(1, 201):
        lr = 1e-2 * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * step / 200)))
        mine.lr = lr
        for group in reference.param_groups:
            group["lr"] = lr
        for optimizer, parameters in ((mine, ours), (reference, theirs)):
            optimizer.zero_grad()
            _loss(parameters, step).backward()
            optimizer.step()
    for a, b in zip(ours, theirs, strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(ours[0], _parameters(0)[0])  # it moved


def test_a_parameter_without_a_gradient_is_left_alone():
    used, unused = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
    optimizer = Adam([used, unused], lr=0.1)
    optimizer.zero_grad()
    used.sum().backward()
    optimizer.step()
    assert torch.equal(unused, torch.ones(3))
    assert torch.allclose(used, torch.full((3,), 0.9))  # Adam's first step moves by lr
