"""The MIPS network family, batched: M independent RNNs trained as one computation.

Each model is h_t = f([h_{t-1}, x_t]), y_t = g(h_t), h_0 = 0, where f is an MLP of `depth` affine
layers (ReLU between them; depth 1 is a single affine map, a linear RNN) and g one of `g_depth`
layers (affine unless the search needs a smaller hidden size than an affine g allows); hidden
layers of f and g have the same width.

Weights carry a leading model axis. Models of one depth but different hidden sizes and widths share
the computation: each is padded to the largest size and masked, so unused units stay exactly zero
and never influence the model's outputs or gradients. One batched step costs far less than a step
per model, though more than one model's (docs/training.md#batched-training).
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
    g_depth: int = 1  # affine layers in g; 1 means an affine readout

    def describe(self) -> str:
        f = "linear" if self.depth == 1 else f"MLP d{self.depth}/w{self.width}"
        g = "affine" if self.g_depth == 1 else f"MLP d{self.g_depth}/w{self.width}"
        return f"n={self.hidden}, f {f}, g {g}, {self.encoding} inputs, {self.head} head"

    def to_json(self) -> dict:
        return asdict(self)


class BatchedRNN(torch.nn.Module):
    """RNNs of one depth of f and of g, with per-model hidden sizes and widths, weights
    initialised per seed."""

    hidden_mask: torch.Tensor  # buffers (models, 1, units): 1 where a model has the unit
    width_mask: torch.Tensor

    def __init__(self, archs: list[Architecture], seeds: list[int], in_dim: int, out_dim: int):
        super().__init__()
        depths = {(a.depth, a.g_depth) for a in archs}
        if len(depths) != 1 or len(archs) != len(seeds):
            raise ValueError("one depth of f and of g per batch, and one seed per model")
        self.archs, self.seeds = list(archs), list(seeds)
        (self.depth, self.g_depth), self.in_dim, self.out_dim = depths.pop(), in_dim, out_dim
        self.models = len(archs)
        hidden = max(a.hidden for a in archs)
        width = max(a.width for a in archs)
        self.register_buffer("hidden_mask", _mask([a.hidden for a in archs], hidden))
        self.register_buffer("width_mask", _mask([a.width for a in archs], width))
        # g's layers are registered first: the parameters' order is the order L-BFGS flattens
        # them in, and its float sums then round as they did before g could be an MLP
        self.g_weights, self.g_biases = self._layers(
            [hidden] + [width] * (self.g_depth - 1) + [out_dim]
        )
        self.f_weights, self.f_biases = self._layers(
            [hidden + in_dim] + [width] * (self.depth - 1) + [hidden]
        )
        self._init()

    def _layers(self, sizes: list[int]) -> tuple[torch.nn.ParameterList, torch.nn.ParameterList]:
        """Weights and biases of affine layers between `sizes`, one slice per model."""
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        weights = [torch.nn.Parameter(torch.empty(self.models, i, o)) for i, o in pairs]
        biases = [torch.nn.Parameter(torch.empty(self.models, 1, o)) for _, o in pairs]
        return torch.nn.ParameterList(weights), torch.nn.ParameterList(biases)

    def _init(self) -> None:
        """Model m's weights depend on its seed and architecture only, not on its batch mates:
        each layer is drawn at the model's true size and placed into the padded tensors."""
        with torch.no_grad():
            for p in self.parameters():
                p.zero_()
            for m, (arch, seed) in enumerate(zip(self.archs, self.seeds, strict=True)):
                generator = torch.Generator().manual_seed(seed)
                for name, rows, cols in self._layout(arch):
                    weight = getattr(self, name[0])[name[2]]
                    bias = getattr(self, name[1])[name[2]]
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
        for i in range(self.g_depth):
            rows = list(range(arch.hidden if i == 0 else arch.width))
            cols = self.out_dim if i == self.g_depth - 1 else arch.width
            layers.append((("g_weights", "g_biases", i), rows, cols))
        return layers

    def transition(self, h: torch.Tensor, x_t: torch.Tensor, models=slice(None)) -> torch.Tensor:
        """f([h, x]) for h (M, B, n) and x_t (M, B, in_dim); masked units stay zero. `models`
        selects some of the models (a slice), M counting those only."""
        f = _chosen(self.f_weights, self.f_biases, models)
        return _step(f, h, x_t, self.width_mask[models], self.hidden_mask[models])

    def forward(self, x: torch.Tensor, models=slice(None)) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, L, in_dim), shared by all models -> outputs (M, B, L, out_dim) and hiddens
        (M, B, L, n)."""
        batch, length, _ = x.shape
        count = len(range(self.models)[models])
        # the models' layers and masks are indexed once, not at every position: each is an op
        f = _chosen(self.f_weights, self.f_biases, models)
        width_mask, hidden_mask = self.width_mask[models], self.hidden_mask[models]
        xs = x.unsqueeze(0).expand(count, batch, length, self.in_dim)
        h = x.new_zeros(count, batch, self.hidden_mask.shape[-1])
        hiddens = []
        for t in range(length):
            h = _step(f, h, xs[:, :, t], width_mask, hidden_mask)
            hiddens.append(h)
        hs = torch.stack(hiddens, dim=2)
        g = _chosen(self.g_weights, self.g_biases, models)
        out = _mlp(g, hs.reshape(count, batch * length, -1), width_mask)
        return out.reshape(count, batch, length, self.out_dim), hs

    def readout(self, h: torch.Tensor, models=slice(None)) -> torch.Tensor:
        """g(h) for h (M, B, n): the output layer's raw values (M, B, out_dim)."""
        return _mlp(_chosen(self.g_weights, self.g_biases, models), h, self.width_mask[models])

    def weights_of(self, m: int) -> dict[str, torch.Tensor]:
        """Model m alone, cut to its own sizes: the state dict of a one-model `BatchedRNN`."""
        arch = self.archs[m]
        out = {}
        for (w_name, b_name, index), rows, cols in self._layout(arch):
            weight, bias = getattr(self, w_name)[index], getattr(self, b_name)[index]
            out[f"{w_name}.{index}"] = weight.detach()[m : m + 1, rows, :cols].clone()
            out[f"{b_name}.{index}"] = bias.detach()[m : m + 1, :, :cols].clone()
        out["hidden_mask"] = torch.ones(1, 1, arch.hidden)
        out["width_mask"] = torch.ones(1, 1, arch.width)
        return out


def _chosen(weights, biases, models) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The (weight, bias) pairs of some models' layers."""
    return [(w[models], b[models]) for w, b in zip(weights, biases, strict=True)]


def _step(f, h: torch.Tensor, x_t: torch.Tensor, width_mask, hidden_mask) -> torch.Tensor:
    """One transition h -> f([h, x_t]) with the layers of `_chosen`."""
    return _mlp(f, torch.cat([h, x_t], dim=-1), width_mask) * hidden_mask


def _mlp(
    layers: list[tuple[torch.Tensor, torch.Tensor]], z: torch.Tensor, width_mask
) -> torch.Tensor:
    """Affine layers with ReLU between them; masked hidden units stay zero."""
    last = len(layers) - 1
    for i, (weight, bias) in enumerate(layers):
        z = torch.baddbmm(bias, z, weight)
        if i < last:
            z = torch.relu(z) * width_mask
    return z


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
