"""Architecture search: the smallest network that gets every output right, simplest first.

Stages run from a linear transition (which extracts exactly) to wider and deeper MLPs; within a
stage every hidden size, width and seed trains at once, and the simplest confirmed model wins.
Each stage runs with the task's default input encoding and output head, then, if that fails and
the stage is an MLP, with the paper's raw inputs and rounded regression. The search stops at the
first stage that solves the task, after passes over its smaller hidden sizes (the last of them
with g an MLP). A linear stage with a regressed head first reads its network off the training
data by system identification (`identify`): where that confirms, it is exact and the smallest
linear network, so neither gradient steps nor passes over smaller sizes run; where a linear
program shows that no linear network can be exact on the training data (`rules_out_linear`), the
stage is skipped. Every stage and pass is recorded. Results are cached by a content hash of
everything that determines them, and a cached network is served only after it is rechecked.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from mipsdsl.data import load_dataset, make_dataset
from mipsdsl.errors import MipsError
from mipsdsl.task import Task
from mipsdsl.train import cache
from mipsdsl.train.encoding import InputEncoding, OutputHead, make_input_encoding, make_output_head
from mipsdsl.train.identify import identify
from mipsdsl.train.model import Architecture, BatchedRNN, load_single
from mipsdsl.train.options import SearchOptions, Stage, cache_key, families, model_seeds, plan
from mipsdsl.train.trainer import predict, train_models
from mipsdsl.train.unrolled import rules_out_linear

SMALLER_MIN_STEPS = 1000  # the least a first pass for smaller sizes trains
MAX_TRAIN_SEQUENCES = 200_000  # more adds nothing for these tiny networks but generation time
READOUT_DEPTH = 2  # the depth of g in the last pass for smaller sizes
# A cached network is rechecked on this many sequences when it is loaded, from a stream no other
# stage draws (0 trains, 2 confirms, 3 to 5 verify, 6 and 7 trace).
RECHECK_SEQUENCES = 4096
RECHECK_STREAM = 8
# Sequences longer than PROBE_LENGTH have the cost of their first evaluation estimated before
# any data is made, from steps timed at PROBE_LENGTH positions (a step's cost grows with the
# length: the network runs one position at a time); a search whose estimate is past its budget
# and past REFUSE_SECONDS is refused. Below that the usual slack applies: the deadline is checked
# at evaluations, so a search may run one evaluation interval past its budget.
PROBE_LENGTH = 64
REFUSE_SECONDS = 60.0


class TrainingFailed(MipsError):
    """No architecture reached 100% within the budget."""


@dataclass(frozen=True, eq=False)
class TrainedRNN:
    """The winning network, with everything needed to run it and to say where it came from."""

    task_name: str
    task_sha256: str
    arch: Architecture
    seed: int
    encoding: InputEncoding
    head: OutputHead
    state: dict
    steps: int
    seconds: float
    confirmed_on: int
    attempts: tuple[dict, ...]
    cache_key: str
    cached: bool = False
    rechecked_on: int = 0  # sequences a cached network was found exact on when loaded

    @functools.cached_property
    def _model(self) -> BatchedRNN:
        return load_single(self.arch, self.seed, self.encoding.dim, self.head.dim, self.state).cpu()

    def model(self) -> BatchedRNN:
        return self._model

    def run(self, x: np.ndarray) -> np.ndarray:
        """Integer outputs (N, L, O) for int64 inputs (N, L, C)."""
        return predict(self.model(), self.encoding, self.head, x)[0].numpy()

    # One step at a time, from any hidden state: what extraction probes the network with.

    def initial_hidden(self) -> np.ndarray:
        return np.zeros(self.arch.hidden, dtype=np.float32)

    def step(self, h: np.ndarray, x: np.ndarray) -> np.ndarray:
        """f([h, x]) for hidden states h (B, n) and int64 inputs x (B, C)."""
        with torch.no_grad():
            encoded = self.encoding.encode(x[:, None, :])[:, 0]
            hidden = torch.from_numpy(np.asarray(h, dtype=np.float32))
            return self.model().transition(hidden[None], encoded[None])[0].numpy()

    def readout(self, h: np.ndarray) -> np.ndarray:
        """Integer outputs (B, O) read from hidden states h (B, n)."""
        with torch.no_grad():
            hidden = torch.from_numpy(np.asarray(h, dtype=np.float32))
            return self.head.predict(self.model().readout(hidden[None]))[0].numpy()

    def summary(self) -> dict:
        return {
            "task": self.task_name,
            "architecture": self.arch.to_json(),
            "description": self.arch.describe(),
            "seed": self.seed,
            "steps": self.steps,
            "train_seconds": round(self.seconds, 2),
            "confirmed_on_sequences": self.confirmed_on,
            "attempts": list(self.attempts),
            "cached": self.cached,
            "rechecked_on_sequences": self.rechecked_on,
        }


def train(
    task: Task,
    options: SearchOptions = SearchOptions(),
    force: bool = False,
    progress: bool = False,
    notes: Callable[[str], None] | None = None,
) -> TrainedRNN:
    """Find, train and return the smallest exact network for `task` (from cache when possible).

    `notes` receives one-line notes on the cache (an entry trained again, a cache that cannot be
    written); by default they are printed to stderr."""
    if options.device == "cuda" and not torch.cuda.is_available():
        raise MipsError("--device cuda was asked for, but CUDA is not available on this machine")
    say = notes or _to_stderr
    key = cache_key(task, options)
    if not force:
        hit = _cached(task, key, say)
        if hit is not None:
            return hit
    torch.set_num_threads(1)  # tiny networks: threads only add contention
    n = min(task.data.size, MAX_TRAIN_SEQUENCES)
    seeds = list(model_seeds(task, options))
    _refuse_if_too_long(task, options, n, seeds)
    data = make_dataset(task, n=n)
    codecs = {
        (e, h): (make_input_encoding(task, e), make_output_head(task, h, data.y[: data.n_train]))
        for e, h in families(task)
    }
    started = time.perf_counter()
    deadline = started + options.budget
    attempts: list[dict] = []
    best: tuple[float, Architecture | None] = (0.0, None)
    runs = [(stage, codec) for stage in plan(task, options) for codec in _tried(stage, codecs)]
    out_of_time = False
    for stage, (encoding, head) in runs:
        if attempts and time.perf_counter() > deadline:
            out_of_time = True
            break
        identified = identify(
            task, data, stage, encoding, head, options.config, seeds[0], options.device
        )
        if identified is not None:  # the smallest linear network already: nothing to shrink
            result, read_by = identified
            codecs[read_by.kind, head.kind] = (read_by, head)
            attempts.append({**result.to_json(), "pass": "identified"})
            return _trained(task, result, codecs, started, attempts, key, say)
        if stage.depth == 1:
            checked = time.perf_counter()
            if rules_out_linear(data, encoding, head):
                attempts.append(_ruled_out(stage, time.perf_counter() - checked))
                continue
        archs = [
            Architecture(h, stage.depth, w, encoding.kind, head.kind)
            for h in stage.hidden
            for w in stage.widths
        ]
        models = [(a, s) for a in archs for s in seeds]
        config = replace(options.config, max_steps=stage.steps)
        bar = _progress_bar(stage, encoding, head) if progress else None
        result = train_models(
            task,
            data,
            [a for a, _ in models],
            [s for _, s in models],
            encoding,
            head,
            config,
            deadline=deadline,
            progress=(
                (lambda step, loss, best, bar=bar: _tick(bar, loss, best))
                if bar is not None
                else None
            ),
            device=options.device,
        )
        if bar is not None:
            bar.close()
        attempts.append(result.to_json())
        top = max(result.accuracy)
        if top > best[0]:
            best = (top, result.archs[result.accuracy.index(top)])
        if result.solved:
            while True:  # shrink while a smaller size still solves it
                tries = _smaller(task, data, stage, result, codecs, options, deadline)
                attempts += [{**t.to_json(), "pass": "smaller"} for t in tries]
                if not tries or not tries[-1].solved:
                    break
                result = tries[-1]
            return _trained(task, result, codecs, started, attempts, key, say)
    if attempts and not out_of_time and all(a.get("pass") == "ruled out" for a in attempts):
        raise TrainingFailed(
            f"no linear network can be exact on {task.name}'s training data (a linear program "
            "rules out every one), and the spec's hints allow no other; drop the hint that "
            "asks for a linear transition"
        )
    best_arch = f" ({best[1].describe()})" if best[1] else ""
    raise TrainingFailed(
        f"no architecture reached 100% on {task.name} within {options.budget:g} s; "
        f"best held-out exact-match accuracy {best[0]:.2%}{best_arch}"
    )


def _trained(task, result, codecs, started, attempts, key, say) -> TrainedRNN:
    """The search's winner, the solved model of `result`, saved to the cache."""
    m = result.solved_model
    assert m is not None and result.solved_state is not None  # it solved
    arch = result.archs[m]
    encoding, head = codecs[arch.encoding, arch.head]
    trained = TrainedRNN(
        task_name=task.name,
        task_sha256=task.sha256,
        arch=arch,
        seed=result.seeds[m],
        encoding=encoding,
        head=head,
        state={k: v.cpu() for k, v in result.solved_state.items()},
        steps=result.solved_step,
        seconds=time.perf_counter() - started,  # the whole search
        confirmed_on=result.confirmed_on,
        attempts=tuple(attempts),
        cache_key=key,
    )
    unsaved = cache.save(key, _to_cache(trained))
    if unsaved:
        say(unsaved)
    return trained


def _ruled_out(stage: Stage, seconds: float) -> dict:
    """The record of a linear stage skipped because no linear network can be exact on the
    training data: nothing trained, so no accuracy or architecture to report."""
    return {
        "depth": stage.depth,
        "hidden_sizes": list(stage.hidden),
        "widths": list(stage.widths),
        "models": 0,
        "steps": 0,
        "seconds": round(seconds, 2),
        "best_accuracy": None,
        "best_architecture": None,
        "solved": False,
        "architecture": None,
        "seed": None,
        "pass": "ruled out",
    }


def _tried(stage: Stage, codecs: dict) -> list:
    """The (encoding, head) families a stage trains, the default first. The paper's family is
    tried on MLP stages only: a linear stage that fails one-hot and classified does not succeed
    raw and regressed on the benchmark (benchmarks/results), and each retry costs seconds."""
    every = list(codecs.values())
    return every if stage.depth > 1 else every[:1]


def _smaller(task, data, stage, solved, codecs, options, deadline) -> list:
    """Passes over the stage's hidden sizes below the winner's, with fresh seeds: in a batch the
    larger models often solve first, and extraction wants the smallest network. The first passes,
    one per family the stage trains, get twice the steps the winner needed (at least
    SMALLER_MIN_STEPS), so that a task solved quickly does not wait long on sizes too small for
    it; if they fail, the default family trains again for twice the stage's steps (a smaller
    network may need longer, and the learning rate then decays more slowly), and last, on an MLP
    stage, a short pass with g an MLP too (depth READOUT_DEPTH): an affine g needs the states
    with one output on one side of a hyperplane, which may take more hidden units than the task
    has states to tell apart (parity_last2 trains at n=1 only so). Seeds count per kind of
    pass. Each pass's result, the last one solved or not; none when there is nothing smaller."""
    winner = solved.archs[solved.solved_model]
    sizes = [h for h in stage.hidden if h < winner.hidden]
    short = min(2 * stage.steps, max(2 * solved.solved_step, SMALLER_MIN_STEPS))
    tried = _tried(stage, codecs)
    passes = [(short, i, 1) for i in range(len(tried))]  # (steps, family, depth of g)
    if short < 2 * stage.steps:
        passes.append((2 * stage.steps, 0, 1))
    if stage.depth > 1:
        passes.append((short, 0, READOUT_DEPTH))
    tries: list = []
    next_seed: dict[tuple[int, int], int] = {}  # (family, g depth): its next unused seed
    for steps, i, g_depth in passes:
        if not sizes or time.perf_counter() >= deadline:
            break
        encoding, head = tried[i]
        archs = [
            Architecture(h, stage.depth, w, encoding.kind, head.kind, g_depth)
            for h in sizes
            for w in stage.widths
        ]
        first = next_seed.get((i, g_depth), max(solved.seeds) + 1)
        seeds = range(first, first + options.seeds_per_architecture)
        next_seed[i, g_depth] = first + options.seeds_per_architecture
        models = [(a, s) for a in archs for s in seeds]
        tries.append(
            train_models(
                task,
                data,
                [a for a, _ in models],
                [s for _, s in models],
                encoding,
                head,
                replace(options.config, max_steps=steps, shrinking=True),
                deadline=deadline,
                device=options.device,
            )
        )
        if tries[-1].solved:
            break
    return tries


def _progress_bar(stage: Stage, encoding: InputEncoding, head: OutputHead):
    """A bar on a terminal only (tqdm's `disable=None`), counting steps and showing the best
    held-out accuracy: no total and no ETA, since a stage usually stops long before its step
    limit."""
    from tqdm import tqdm

    f = "linear" if stage.depth == 1 else f"d{stage.depth} w{','.join(map(str, stage.widths))}"
    sizes = (
        f"{stage.hidden[0]}..{stage.hidden[-1]}" if len(stage.hidden) > 1 else str(stage.hidden[0])
    )
    desc = f"train n={sizes} {f} {encoding.kind}/{head.kind}"
    return tqdm(desc=desc, unit="step", leave=False, mininterval=0.5, disable=None)


def _tick(bar, loss: float, best: float) -> None:
    bar.update(1)
    if bar.n % 50 == 0:
        bar.set_postfix(best=f"{best:.2%}", loss=f"{loss:.3g}", refresh=False)


def _to_stderr(note: str) -> None:
    print(note, file=sys.stderr)


def _refuse_if_too_long(task: Task, options: SearchOptions, n: int, seeds: list[int]) -> None:
    """Refuse, before any data is made, a search too long for its budget or for memory: a long
    `length` can make one step outlast the whole budget (which is checked between evaluations),
    and the data and an evaluation's hidden states fill memory. Both estimates are for the first
    stage's batch, the smallest there is, so the real cost is at least this."""
    length, config = task.max_length, options.config
    stage = plan(task, options)[0]
    kinds = families(task)[0]
    encoding = make_input_encoding(task, kinds[0])
    head = make_output_head(task, kinds[1], np.zeros((0, 1, len(task.outputs)), dtype=np.int64))
    models = [
        (Architecture(h, stage.depth, w, encoding.kind, head.kind), s)
        for h in stage.hidden
        for w in stage.widths
        for s in seeds
    ]
    archs = [a for a, _ in models]
    data_bytes = 8 * n * length * (len(task.inputs) + len(task.outputs))  # int64 x and y
    width = max(a.hidden for a in archs) + head.dim
    eval_bytes = 4 * len(archs) * min(config.eval_size, n) * length * width  # float32 (M, N, L, .)
    free = _free_memory()
    if free is not None and data_bytes + eval_bytes > free:
        raise TrainingFailed(
            f"length {length}: training {task.name} would hold about "
            f"{(data_bytes + eval_bytes) / 2**30:,.1f} GiB ({data_bytes / 2**30:,.1f} GiB of data, "
            f"{eval_bytes / 2**30:,.1f} GiB to evaluate), more than the {free / 2**30:,.1f} GiB "
            "available; shorten the sequences or lower the data size"
        )
    if length <= PROBE_LENGTH:
        return
    model = BatchedRNN(archs, [s for _, s in models], encoding.dim, head.dim).to(options.device)
    x = torch.zeros(min(config.batch, n), PROBE_LENGTH, encoding.dim, device=options.device)
    for _ in range(2):  # the first step pays for setting up; the second is what steps cost
        started = time.perf_counter()
        model(x)[0].square().sum().backward()
        if options.device == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
    steps = min(config.eval_every, stage.steps)
    estimate = steps * seconds * length / PROBE_LENGTH
    if estimate > max(options.budget, REFUSE_SECONDS):
        raise TrainingFailed(
            f"length {length}: the first evaluation of {task.name} ({steps} training steps) "
            f"would take about {estimate:,.0f} s on {options.device}, past the budget of "
            f"{options.budget:g} s; shorten the sequences or raise the budget"
        )


def _free_memory() -> int | None:
    """Bytes of memory available now (free or reclaimable, Linux's MemAvailable); None where the
    system does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class MalformedEntry(Exception):
    """A cache entry that loads but does not hold a network for this task; says what is wrong."""


def _cached(task: Task, key: str, say: Callable[[str], None]) -> TrainedRNN | None:
    """The cached network, when its entry is sound and the network is exact on RECHECK_SEQUENCES
    fresh sequences (for a task given by examples, on the whole file): a damaged or edited file
    would otherwise reach extraction and the reports as an exact network. Otherwise None, after a
    note saying why it is trained again."""
    try:
        entry = cache.load(key)
        if entry is None:
            return None
        trained = _from_cache(entry, key, task)
    except cache.UnreadableEntry as exc:
        say(f"cache entry {key} is unreadable ({exc}): training again")
        return None
    except MalformedEntry as exc:
        say(f"cache entry {key} is malformed ({exc}): training again")
        return None
    if task.examples is not None:  # the rule a network of such a task was accepted by
        check, source = load_dataset(task.examples, task), "sequences of the examples file"
    else:
        check = make_dataset(task, n=RECHECK_SEQUENCES, stream=RECHECK_STREAM)
        source = "fresh sequences"
    wrong = ((trained.run(check.x) != check.y).any(axis=-1) & check.mask).any(axis=-1)
    if wrong.any():
        say(
            f"cache entry {key} is wrong on {int(wrong.sum()):,} of {len(check):,} {source}: "
            "training again"
        )
        return None
    return replace(trained, rechecked_on=len(check))


def _to_cache(trained: TrainedRNN) -> dict:
    meta = {
        "task_name": trained.task_name,
        "task_sha256": trained.task_sha256,
        "arch": trained.arch.to_json(),
        "seed": trained.seed,
        "encoding": {"kind": trained.encoding.kind, "alphabets": trained.encoding.alphabets},
        "head": trained.head.__dict__,
        "steps": trained.steps,
        "seconds": trained.seconds,
        "confirmed_on": trained.confirmed_on,
        "attempts": list(trained.attempts),
    }
    return {"meta": json.dumps(meta), "state": trained.state}


def _from_cache(entry, key: str, task: Task) -> TrainedRNN:
    """The network a loaded entry holds; raises MalformedEntry when it holds none for `task`."""
    if not isinstance(entry, dict) or "meta" not in entry:
        raise MalformedEntry("no metadata")
    if not isinstance(entry.get("state"), dict):
        raise MalformedEntry("no weights")
    try:
        meta = json.loads(entry["meta"])
    except (TypeError, ValueError):
        raise MalformedEntry("its metadata is not JSON") from None
    try:
        head = meta["head"]
        trained = TrainedRNN(
            meta["task_name"],
            meta["task_sha256"],
            Architecture(**meta["arch"]),
            meta["seed"],
            InputEncoding(
                meta["encoding"]["kind"], tuple(tuple(a) for a in meta["encoding"]["alphabets"])
            ),
            OutputHead(
                head["kind"], tuple(head["lows"]), tuple(head["sizes"]), tuple(head["scales"])
            ),
            entry["state"],
            meta["steps"],
            meta["seconds"],
            meta["confirmed_on"],
            tuple(meta["attempts"]),
            key,
            cached=True,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEntry(f"its metadata lacks or garbles {exc}") from None
    if trained.task_sha256 != task.sha256:
        raise MalformedEntry("it was trained for another spec")
    try:
        trained.model()
    except (RuntimeError, TypeError, ValueError, KeyError, AttributeError):
        raise MalformedEntry(f"its weights do not fit {trained.arch.describe()}") from None
    return trained
