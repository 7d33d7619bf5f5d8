"""Adam, written out: the same update as `torch.optim.Adam` on the CPU, without its import cost.

The first `torch.optim` optimizer a process builds imports `torch._dynamo` (its parameter groups
are wrapped to keep the compiler out), about 1.4 s here (benchmarks/startup.py). Every compile
that trains is a fresh process, so it paid that in every compile, a sixth of a small task's.
This class does the single-tensor update of `torch.optim.Adam` with the same operations in the
same order, so the weights it trains are the same bit for bit (tests/train/test_adam.py holds
it to that).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

BETAS = (0.9, 0.999)
EPS = 1e-8


class Adam:
    """Adam without weight decay over a fixed list of parameters; `lr` may change between steps
    (the trainer's schedule sets it)."""

    def __init__(self, parameters: Iterable[torch.nn.Parameter], lr: float):
        self.parameters = list(parameters)
        self.lr = lr
        self.steps = 0
        self.means = [torch.zeros_like(p) for p in self.parameters]
        self.squares = [torch.zeros_like(p) for p in self.parameters]

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2 = BETAS
        self.steps += 1
        correction1 = 1 - beta1**self.steps
        correction2_root = (1 - beta2**self.steps) ** 0.5
        step_size = self.lr / correction1
        for p, mean, square in zip(self.parameters, self.means, self.squares, strict=True):
            if p.grad is None:  # a parameter the loss does not reach is left as it is
                continue
            mean.lerp_(p.grad, 1 - beta1)
            square.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
            p.addcdiv_(mean, (square.sqrt() / correction2_root).add_(EPS), value=-step_size)
