"""Train one architecture with several seeds at once until a model is exactly right.

Success means 100% exact match of every output at every position on the held-out split, confirmed
before it is declared on a fresh, larger sample (a data stream training never saw) or, for a task
given by examples, on the whole examples file. Everything is seeded: the same task, architecture,
seeds and config give the same weights.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from mipsdsl.data import Dataset, load_dataset, make_dataset
from mipsdsl.task import Task
from mipsdsl.train.adam import Adam
from mipsdsl.train.encoding import InputEncoding, OutputHead
from mipsdsl.train.model import Architecture, BatchedRNN
from mipsdsl.train.options import TrainConfig

CONFIRM_STREAM = 2  # the data stream used to confirm a success (0 is the training data)
POLISH_SEQUENCES = 512  # the fixed batch a regression model is polished on
POLISH_ITERATIONS = 300  # L-BFGS iterations per polish
POLISH_ROUNDS = 4  # polishes per model, each with the sequences the last one got wrong
REPLAY_LIMIT = 0.5  # past this share of mined sequences wrong, a model is not near exact
# Steps after which a batch with no sequence right is abandoned: a classifier able to solve the
# task gets whole sequences right within a few hundred steps (the benchmark's linear solvers solve
# by step 400, or, majority_0_3, are past 2% by 600); a regression must first get every rounding
# right, which it may reach late.
NOTHING_RIGHT_STEPS = {"classify": 600, "regress": 1000}
NOTHING_RIGHT = 0.02  # a best accuracy below this is "nothing right"
STALLED_GAIN = 0.005  # a best accuracy that gains less than half a point is stalled
# A pass for smaller sizes holds a solution already, so giving up on one that would have solved
# costs a larger network, not the task: it stops once nothing is right at SHRINKING_NOTHING_RIGHT
# steps, or once its best accuracy so far gained under half a point over SHRINKING_PATIENCE
# evaluations while below NEAR_EXACT (above it the last rare errors are what mining is for).
# Measured on every benchmark and example task whose search ran passes for smaller sizes: every
# pass that solved was past these marks, and they cut a fifth of those passes' time
# (benchmarks/results/shrinking.md).
SHRINKING_NOTHING_RIGHT = {"classify": 400, "regress": 600}
SHRINKING_PATIENCE = 3
NEAR_EXACT = 0.99
# Near 100% the last errors are rare sequences a uniform minibatch seldom holds: at each
# evaluation the best model is run on MINE_SIZE training sequences, and HARD_SHARE of every
# minibatch until the next evaluation is drawn from those it got wrong.
MINE_SIZE = 4096
HARD_SHARE = 0.25
LR_FLOOR = 0.02  # the learning rate decays to 2% of its start: exact regression needs a fine finish


@dataclass
class AttemptResult:
    """One batched training run: several architectures of one depth, several seeds each."""

    archs: list[Architecture]
    seeds: list[int]
    steps: int
    seconds: float
    accuracy: list[float]  # per model: exact-match share of held-out sequences at the end
    solved_model: int | None = None  # index of the confirmed (simplest) model
    solved_state: dict | None = field(default=None, repr=False)  # its weights when confirmed
    solved_step: int = 0
    confirmed_on: int = 0

    @property
    def solved(self) -> bool:
        return self.solved_model is not None

    def to_json(self) -> dict:
        best = max(range(len(self.accuracy)), key=lambda m: self.accuracy[m])
        winner = self.solved_model
        return {
            "depth": self.archs[0].depth,
            "hidden_sizes": sorted({a.hidden for a in self.archs}),
            "widths": sorted({a.width for a in self.archs}),
            "models": len(self.archs),
            "steps": self.steps,
            "seconds": round(self.seconds, 2),
            "best_accuracy": round(self.accuracy[best], 6),
            "best_architecture": self.archs[best].to_json(),
            "solved": self.solved,
            "architecture": self.archs[winner].to_json() if winner is not None else None,
            "seed": self.seeds[winner] if winner is not None else None,
        }


def exact_match(pred: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per model (M,): share of sequences whose every valid output is right."""
    wrong = ((pred != y.unsqueeze(0)).any(dim=-1)) & mask.unsqueeze(0)
    return 1.0 - wrong.any(dim=-1).float().mean(dim=-1)


def predict(
    model: BatchedRNN,
    encoding: InputEncoding,
    head: OutputHead,
    x: np.ndarray,
    chunk=8192,
    models=slice(None),
):
    """Integer predictions (M, N, L, O) on the CPU for int64 inputs x (N, L, C), M counting the
    `models` selected (a slice)."""
    device = next(model.parameters()).device
    outs = []
    with torch.no_grad():
        for start in range(0, len(x), chunk):
            out, _ = model(encoding.encode(x[start : start + chunk]).to(device), models)
            outs.append(head.predict(out).cpu())
    return torch.cat(outs, dim=1)


def _wrong(model, encoding, head, x, y, lengths, m: int) -> np.ndarray:
    """Indices of the sequences model m gets wrong somewhere."""
    mask = np.arange(x.shape[1])[None, :] < lengths[:, None]
    predicted = predict(model, encoding, head, x, models=slice(m, m + 1))[0].numpy()
    return np.flatnonzero(((predicted != y).any(axis=-1) & mask).any(axis=-1))


def accuracy_on(model, encoding, head, x, y, lengths, models=slice(None)) -> torch.Tensor:
    mask = torch.from_numpy(np.arange(x.shape[1])[None, :] < lengths[:, None])
    predicted = predict(model, encoding, head, x, models=models)
    return exact_match(predicted, torch.from_numpy(y), mask)


def train_models(
    task: Task,
    data: Dataset,
    archs: list[Architecture],
    seeds: list[int],
    encoding: InputEncoding,
    head: OutputHead,
    config: TrainConfig,
    deadline: float | None = None,
    progress=None,
    device: str = "cpu",
) -> AttemptResult:
    """Train one model per (arch, seed) together; stop when one is confirmed exactly right."""
    torch.manual_seed(min(seeds))
    model = BatchedRNN(archs, seeds, encoding.dim, head.dim).to(device)
    optimizer = Adam(model.parameters(), lr=config.lr)
    train_x, train_y = data.x[: data.n_train], data.y[: data.n_train]
    train_len = data.lengths[: data.n_train]
    held_out = held_out_split(data)
    quick = tuple(a[: config.eval_size] for a in held_out)
    rng = np.random.default_rng(min(seeds))
    started = time.perf_counter()
    result = AttemptResult(archs, seeds, 0, 0.0, [0.0] * len(seeds))
    history: list[float] = []  # best accuracy at each evaluation
    hard = np.empty(0, dtype=np.int64)  # training sequences the best model last got wrong
    for step in range(1, config.max_steps + 1):
        pick = rng.integers(0, len(train_x), size=min(config.batch, len(train_x)))
        if len(hard):
            share = int(len(pick) * HARD_SHARE)
            pick[:share] = hard[rng.integers(0, len(hard), size=share)]
        x = encoding.encode(train_x[pick]).to(device)
        y, mask = _targets(train_y[pick], train_len[pick], device)
        out, _ = model(x)
        loss = head.loss(out, y, mask, paper=config.paper_recipe).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = config.lr * _decay(step - 1, config)
        optimizer.step()
        result.steps = step
        if progress is not None:
            progress(step, loss.item() / len(seeds), max(result.accuracy))
        if step % config.eval_every and step != config.max_steps:
            continue
        acc = accuracy_on(model, encoding, head, *quick)
        result.accuracy = acc.tolist()
        confirm(task, model, encoding, head, acc, held_out, config, result)
        if not config.paper_recipe:
            mine = rng.integers(0, len(train_x), size=min(MINE_SIZE, len(train_x)))
            best = int(acc.argmax())
            hard = mine[
                _wrong(model, encoding, head, train_x[mine], train_y[mine], train_len[mine], best)
            ]
        if result.solved_model is not None:
            # A larger model often gets there first; train on a while (up to twice the steps) in
            # case a simpler one follows, unless the winner is already the simplest in the batch.
            simplest = min(_simplicity(a) for a in archs)
            if (
                _simplicity(archs[result.solved_model]) == simplest
                or step >= 2 * result.solved_step
            ):
                break
        out_of_time = deadline is not None and time.perf_counter() > deadline
        history.append(max(result.accuracy))
        hopeless = config.give_up_early and _hopeless(history, step, config, head.kind)
        if not result.solved and (out_of_time or hopeless or step == config.max_steps):
            if head.kind == "regress" and not config.paper_recipe:
                _polish(model, encoding, head, (train_x, train_y, train_len), rng, device)
                acc = accuracy_on(model, encoding, head, *quick)
                result.accuracy = acc.tolist()
                confirm(task, model, encoding, head, acc, held_out, config, result)
        if out_of_time or (hopeless and not result.solved):
            break
    result.seconds = time.perf_counter() - started
    return result


def _decay(step: int, config: TrainConfig) -> float:
    """The learning rate's share of its start after `step` steps: constant for the paper's
    recipe, else a cosine down to LR_FLOOR at `max_steps`."""
    if config.paper_recipe:
        return 1.0
    done = min(1.0, step / config.max_steps)
    return LR_FLOOR + (1 - LR_FLOOR) * 0.5 * (1 + math.cos(math.pi * done))


def held_out_split(data: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs, targets and lengths of the held-out split; a tiny data set with none is checked on
    its training data, since there is nothing else to check on."""
    test = slice(data.n_train, len(data)) if data.n_train < len(data) else slice(0, data.n_train)
    return data.x[test], data.y[test], data.lengths[test]


def _polish(
    model: BatchedRNN,
    encoding: InputEncoding,
    head: OutputHead,
    train: tuple[np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
    device: str,
) -> None:
    """Finish each architecture's regression model closest to exact (its seed with the lowest
    loss) with full-batch L-BFGS, one model at a time.

    Rounded regression needs every error under half a unit, a relative precision of 1e-3 on a
    sum of five values below 100: Adam with a noisy minibatch hovers above that while a
    quasi-Newton method on a fixed batch converges on it. Every size gets its polish, since the
    lowest losses of a batch are its largest models, while a smaller one polished may be exact
    where they are not. The last errors are rare sequences a fixed batch seldom holds, so each
    polish is followed by a search for them among `MINE_SIZE` training sequences, and those found
    join the batch for the next round (up to `POLISH_ROUNDS`; a model wrong on more than
    `REPLAY_LIMIT` of them is not near exact, and stops). Only model m's loss is minimised: the
    other models get zero gradients and stay as they are."""
    x, y, lengths = train
    batch = rng.integers(0, len(x), size=min(POLISH_SEQUENCES, len(x)))
    with torch.no_grad():
        out, _ = model(encoding.encode(x[batch]).to(device))
        losses = head.loss(out, *_targets(y[batch], lengths[batch], device)).tolist()
    for m in _lowest_loss_per_architecture(model.archs, losses):
        chosen = batch
        for _ in range(POLISH_ROUNDS):
            if not _lbfgs(
                model,
                head,
                encoding.encode(x[chosen]).to(device),
                m,
                *_targets(y[chosen], lengths[chosen], device),
            ):
                break
            mine = rng.integers(0, len(x), size=min(MINE_SIZE, len(x)))
            wrong = mine[_wrong(model, encoding, head, x[mine], y[mine], lengths[mine], m)]
            if len(wrong) == 0 or len(wrong) > REPLAY_LIMIT * len(mine):
                break
            chosen = np.concatenate([chosen, wrong[:POLISH_SEQUENCES]])


def _targets(y: np.ndarray, lengths: np.ndarray, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Targets and the mask of valid positions, on the device."""
    mask = np.arange(y.shape[1])[None, :] < lengths[:, None]
    return torch.from_numpy(y).to(device), torch.from_numpy(mask).to(device)


def _lbfgs(model: BatchedRNN, head: OutputHead, x, m: int, y, mask) -> bool:
    """Minimise model m's loss on one fixed batch; False when it diverged (the line search
    overflowing on a steep loss), in which case the step is undone, since a diverged model
    would spoil its batch-mates too (0 * inf)."""
    optimizer = torch.optim.LBFGS(
        model.parameters(),
        max_iter=POLISH_ITERATIONS,
        history_size=50,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
    )

    def closure():
        optimizer.zero_grad(set_to_none=True)
        loss = head.loss(model(x, slice(m, m + 1))[0], y, mask)[0]
        loss.backward()
        return loss

    saved = [p.detach().clone() for p in model.parameters()]
    try:
        optimizer.step(closure)
        diverged = not all(torch.isfinite(p).all() for p in model.parameters())
    except RuntimeError as exc:  # the line search's step overflowed a float
        if "overflow" not in str(exc):
            raise
        diverged = True
    if diverged:
        with torch.no_grad():
            for p, before in zip(model.parameters(), saved, strict=True):
                p.copy_(before)
    return not diverged


def _lowest_loss_per_architecture(archs: list[Architecture], losses: list[float]) -> list[int]:
    """For each architecture of a batch, the index of its model with the lowest loss."""
    best: dict[Architecture, int] = {}
    for m, arch in enumerate(archs):
        if arch not in best or losses[m] < losses[best[arch]]:
            best[arch] = m
    return list(best.values())


def _hopeless(history: list[float], step: int, config: TrainConfig, head: str) -> bool:
    """Give up on a batch that gets almost nothing right after `NOTHING_RIGHT_STEPS[head]`
    steps, or that gained under half a point of best accuracy over the last `patience`
    evaluations (after a third of its steps): its architectures are too weak, and the next stage
    is a better use of the time. A pass for smaller sizes gives up sooner (`SHRINKING_*`)."""
    if config.shrinking:
        best = max(history)
        if step >= SHRINKING_NOTHING_RIGHT[head] and best < NOTHING_RIGHT:
            return True
        if len(history) <= SHRINKING_PATIENCE or best >= NEAR_EXACT:
            return False
        return best - max(history[:-SHRINKING_PATIENCE]) < STALLED_GAIN
    if step >= NOTHING_RIGHT_STEPS[head] and history[-1] < NOTHING_RIGHT:
        return True
    gain = history[-1] - history[-1 - config.patience] if len(history) > config.patience else 1.0
    stalled = gain < STALLED_GAIN
    return stalled and step >= config.max_steps // 3


def _simplicity(arch: Architecture) -> tuple[int, int]:
    return arch.hidden, arch.width


def confirm(
    task,
    model,
    encoding,
    head,
    quick_acc,
    held_out: tuple[np.ndarray, np.ndarray, np.ndarray],
    config,
    result,
) -> None:
    """Check models that were perfect on the quick sample on all held-out data, then on the
    confirmation data, simplest first and one at a time (checking all models on 150,000
    sequences costs seconds); the first survivor, if simpler than the current winner, becomes
    the winner."""
    current = _simplicity(result.archs[result.solved_model]) if result.solved else None
    candidates = sorted(
        (
            m
            for m, a in enumerate(quick_acc.tolist())
            if a == 1.0 and (current is None or _simplicity(result.archs[m]) < current)
        ),
        key=lambda m: (_simplicity(result.archs[m]), m),
    )
    if not candidates:
        return
    fresh = None
    for m in candidates:
        one = slice(m, m + 1)
        result.accuracy[m] = accuracy_on(model, encoding, head, *held_out, models=one)[0].item()
        if result.accuracy[m] < 1.0:
            continue
        if fresh is None:
            fresh = _confirmation_data(task, config, min(result.seeds))
        if accuracy_on(model, encoding, head, fresh.x, fresh.y, fresh.lengths, models=one)[0] < 1.0:
            continue
        result.solved_model = m
        result.solved_state = model.weights_of(m)
        result.solved_step = result.steps
        # an examples file holds the held-out split; generated confirmation data is new
        result.confirmed_on = len(fresh) + (len(held_out[0]) if task.examples is None else 0)
        return


def _confirmation_data(task: Task, config: TrainConfig, seed: int) -> Dataset:
    """Fresh sequences from the spec's generator; for a task given by examples, the whole file:
    there is nothing fresh to draw, and compile verifies the program on every sequence of the
    file, so a network wrong on a training sequence would fail there."""
    if task.examples is not None:
        return load_dataset(task.examples, task)
    return make_dataset(task, n=config.confirm_size, seed=seed, stream=CONFIRM_STREAM)
