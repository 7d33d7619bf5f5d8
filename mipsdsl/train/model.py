"""The MIPS network family, batched: M independent RNNs trained as one computation.

Each model is h_t = f([h_{t-1}, x_t]), y_t = g(h_t), h_0 = 0, where f is an MLP of `depth` affine
layers (ReLU between them; depth 1 is a single affine map, a linear RNN) and g is affine.

Weights carry a leading model axis. Models of one depth but different hidden sizes and widths share
the computation: each is padded to the largest size and masked, so unused units stay exactly zero
and never influence the model's outputs or gradients. On a 2-core CPU a step of such tiny networks
costs per-operation overhead, not arithmetic, so 32 models cost little more than one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch


@dataclass(frozen=True)
class Architecture:
    hidden: int  # n, the size of h
    depth: int = 1  # affine layers in f; 1 means a linear transition
    width: int = 0  # hidden width of f when depth > 1
    encoding: str = "onehot"  # "onehot" or "raw" input
    head: str = "classify"  # "classify" (softmax per output) or "regress" (rounded)

    def describe(self) -> str:
        f = "linear" if self.depth == 1 else f"MLP d{self.depth}/w{self.width}"
        return f"n={self.hidden}, f {f}, g affine, {self.encoding} inputs, {self.head} head"

    def to_json(self) -> dict:
        return asdict(self)


class BatchedRNN(torch.nn.Module):
    """RNNs of one depth with per-model hidden sizes and widths, weights initialised per seed."""

    def __init__(self, archs: list[Architecture], seeds: list[int], in_dim: int, out_dim: int):
        super().__init__()
        depths = {a.depth for a in archs}
        if len(depths) != 1 or len(archs) != len(seeds):
            raise ValueError("one depth per batch, and one seed per model")
        self.archs, self.seeds = list(archs), list(seeds)
        self.depth, self.in_dim, self.out_dim = depths.pop(), in_dim, out_dim
        self.models = len(archs)
        hidden = max(a.hidden for a in archs)
        width = max(a.width for a in archs)
        self.register_buffer("hidden_mask", _mask([a.hidden for a in archs], hidden))
        self.register_buffer("width_mask", _mask([a.width for a in archs], width))
        sizes = [hidden + in_dim] + [width] * (self.depth - 1) + [hidden]
        self.f_weights = torch.nn.ParameterList()
        self.f_biases = torch.nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.f_weights.append(torch.nn.Parameter(torch.empty(self.models, fan_in, fan_out)))
            self.f_biases.append(torch.nn.Parameter(torch.empty(self.models, 1, fan_out)))
        self.g_weight = torch.nn.Parameter(torch.empty(self.models, hidden, out_dim))
        self.g_bias = torch.nn.Parameter(torch.empty(self.models, 1, out_dim))
        self._init()

    def _init(self) -> None:
        """Model m's weights depend on its seed and architecture only, not on its batch mates:
        each layer is drawn at the model's true size and placed into the padded tensors."""
        with torch.no_grad():
            for p in self.parameters():
                p.zero_()
            for m, (arch, seed) in enumerate(zip(self.archs, self.seeds)):
                generator = torch.Generator().manual_seed(seed)
                for name, rows, cols in self._layout(arch):
                    weight, bias = getattr(self, name[0]), getattr(self, name[1])
                    if isinstance(weight, torch.nn.ParameterList):
                        weight, bias = weight[name[2]], bias[name[2]]
                    bound = len(rows) ** -0.5
                    drawn_w = torch.empty(len(rows), cols).uniform_(
                        -bound, bound, generator=generator
                    )
                    drawn_b = torch.empty(1, cols).uniform_(-bound, bound, generator=generator)
                    weight[m, rows, :cols] = drawn_w
                    bias[m, :, :cols] = drawn_b

    def _layout(self, arch: Architecture):
        """(parameter names, rows used, columns used) of each layer for one architecture."""
        padded_hidden = self.hidden_mask.shape[-1]
        first_rows = list(range(arch.hidden)) + list(
            range(padded_hidden, padded_hidden + self.in_dim)
        )
        layers = []
        for i in range(self.depth):
            rows = first_rows if i == 0 else list(range(arch.width))
            cols = arch.hidden if i == self.depth - 1 else arch.width
            layers.append((("f_weights", "f_biases", i), rows, cols))
        layers.append((("g_weight", "g_bias", None), list(range(arch.hidden)), self.out_dim))
        return layers

    def transition(self, h: torch.Tensor, x_t: torch.Tensor, models=slice(None)) -> torch.Tensor:
        """f([h, x]) for h (M, B, n) and x_t (M, B, in_dim); masked units stay zero. `models`
        selects some of the models (a slice), M counting those only."""
        z = torch.cat([h, x_t], dim=-1)
        last = len(self.f_weights) - 1
        for i, (weight, bias) in enumerate(zip(self.f_weights, self.f_biases)):
            z = torch.baddbmm(bias[models], z, weight[models])
            if i < last:
                z = torch.relu(z) * self.width_mask[models]
        return z * self.hidden_mask[models]

    def forward(self, x: torch.Tensor, models=slice(None)) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, L, in_dim), shared by all models -> outputs (M, B, L, out_dim), hiddens (M, B, L, n)."""
        batch, length, _ = x.shape
        count = len(range(self.models)[models])
        xs = x.unsqueeze(0).expand(count, batch, length, self.in_dim)
        h = x.new_zeros(count, batch, self.hidden_mask.shape[-1])
        hiddens = []
        for t in range(length):
            h = self.transition(h, xs[:, :, t], models)
            hiddens.append(h)
        hs = torch.stack(hiddens, dim=2)
        out = self.readout(hs.reshape(count, batch * length, -1), models)
        return out.reshape(count, batch, length, self.out_dim), hs

    def readout(self, h: torch.Tensor, models=slice(None)) -> torch.Tensor:
        """g(h) for h (M, B, n): the output layer's raw values (M, B, out_dim)."""
        return torch.baddbmm(self.g_bias[models], h, self.g_weight[models])

    def weights_of(self, m: int) -> dict[str, torch.Tensor]:
        """Model m alone, cut to its own sizes: the state dict of a one-model `BatchedRNN`."""
        arch = self.archs[m]
        out = {}
        for (w_name, b_name, index), rows, cols in self._layout(arch):
            weight, bias = getattr(self, w_name), getattr(self, b_name)
            suffix = "" if index is None else f".{index}"
            if index is not None:
                weight, bias = weight[index], bias[index]
            out[w_name + suffix] = weight.detach()[m : m + 1, rows, :cols].clone()
            out[b_name + suffix] = bias.detach()[m : m + 1, :, :cols].clone()
        out["hidden_mask"] = torch.ones(1, 1, arch.hidden)
        out["width_mask"] = torch.ones(1, 1, arch.width)
        return out


def _mask(sizes: list[int], largest: int) -> torch.Tensor:
    units = torch.arange(largest)
    return (units[None, :] < torch.tensor(sizes)[:, None]).float().unsqueeze(1)


def load_single(
    arch: Architecture, seed: int, in_dim: int, out_dim: int, state: dict
) -> BatchedRNN:
    """Rebuild one saved model from `weights_of` output."""
    model = BatchedRNN([arch], [seed], in_dim, out_dim)
    model.load_state_dict(state)
    return model
