"""How a task's integers meet the network: input encodings and output heads.

Inputs are one-hot per channel (small alphabets) or the raw integer values (as in the paper).
Outputs are classified per channel over the checker's value bounds when those are small, or
regressed and rounded otherwise. Both are recorded with the trained network, since extraction
must read its inputs and outputs the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from mipsdsl.task import Task


@dataclass(frozen=True)
class InputEncoding:
    kind: str  # "onehot" or "raw"
    alphabets: tuple[tuple[int, ...], ...]  # per channel

    @property
    def dim(self) -> int:
        return sum(len(a) for a in self.alphabets) if self.kind == "onehot" else len(self.alphabets)

    @functools.cached_property
    def _raw_scale(self) -> np.ndarray:
        """Per channel, the largest magnitude in the alphabet: computed once, used every step."""
        return np.array([max(1, abs(a[0]), abs(a[-1])) for a in self.alphabets], dtype=np.float32)

    def encode(self, x: np.ndarray) -> torch.Tensor:
        """int64 (N, L, C) -> float32 (N, L, dim)."""
        if self.kind == "raw":  # scaled to about [-1, 1]: a fixed linear map, kept with the model
            return torch.from_numpy(x.astype(np.float32) / self._raw_scale)
        parts = []
        for c, alphabet in enumerate(self.alphabets):
            index = np.searchsorted(np.asarray(alphabet), x[..., c])
            parts.append(np.eye(len(alphabet), dtype=np.float32)[index])
        return torch.from_numpy(np.concatenate(parts, axis=-1))


@dataclass(frozen=True)
class OutputHead:
    kind: str  # "classify" or "regress"
    lows: tuple[int, ...]  # per output channel: the smallest value (class 0)
    sizes: tuple[int, ...]  # per channel: number of classes (classify)
    scales: tuple[float, ...]  # per channel: targets are divided by this (regress)

    @property
    def dim(self) -> int:
        return sum(self.sizes) if self.kind == "classify" else len(self.lows)

    def loss(self, out: torch.Tensor, y: torch.Tensor, mask: torch.Tensor, paper: bool = False):
        """Per-model loss (M,) for outputs (M, B, L, dim), targets (B, L, O), mask (B, L).

        `paper` selects the paper's regression loss 0.5*log(1 + err^2) on unscaled errors."""
        weight = mask.float() / mask.float().sum()
        total = out.new_zeros(out.shape[0])
        if self.kind == "classify":
            start = 0
            for o, (low, size) in enumerate(zip(self.lows, self.sizes, strict=True)):
                logits = out[..., start : start + size]
                target = (y[..., o] - low).long().expand(out.shape[0], *y.shape[:2])
                ce = torch.nn.functional.cross_entropy(
                    logits.permute(0, 3, 1, 2), target, reduction="none"
                )
                total = total + (ce * weight).sum(dim=(1, 2))
                start += size
            return total
        for o, scale in enumerate(self.scales):
            err = out[..., o] - y[..., o].float() / scale
            per_position = 0.5 * torch.log1p((err * scale).square()) if paper else err.square()
            total = total + (per_position * weight).sum(dim=(1, 2))
        return total

    def predict(self, out: torch.Tensor) -> torch.Tensor:
        """Integer predictions (M, B, L, O)."""
        columns = []
        if self.kind == "classify":
            start = 0
            for low, size in zip(self.lows, self.sizes, strict=True):
                columns.append(out[..., start : start + size].argmax(dim=-1) + low)
                start += size
        else:
            for o, scale in enumerate(self.scales):
                columns.append(torch.round(out[..., o] * scale).long())
        return torch.stack(columns, dim=-1)


def make_input_encoding(task: Task, kind: str) -> InputEncoding:
    return InputEncoding(kind, tuple(c.values for c in task.inputs))


def make_output_head(task: Task, kind: str, y_train: np.ndarray) -> OutputHead:
    """Classes span the checker's bounds; regression targets are scaled by the largest value seen
    in training (interval bounds can be far looser than the data, e.g. for the Newton tasks)."""
    lows = tuple(o.lo for o in task.outputs)
    sizes = tuple(o.cardinality for o in task.outputs)
    scales = tuple(
        float(max(1, int(np.abs(y_train[..., i]).max(initial=0)))) for i in range(len(task.outputs))
    )
    return OutputHead(kind, lows, sizes, scales)
