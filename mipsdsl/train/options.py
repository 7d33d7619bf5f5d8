"""What a training search is asked to do, and the key it is cached under: torch-free, so that
`mipsc compile` can tell an up-to-date module without loading torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass, field, replace

import numpy as np

from mipsdsl import __version__
from mipsdsl.task import Task

MAX_ONEHOT = 32  # alphabet size up to which inputs are one-hot by default
MAX_CLASSES = 32  # output range up to which an output is classified by default
SEARCH_VERSION = 14  # bumped when the search itself changes; history in CHANGELOG.md


@dataclass(frozen=True)
class TrainConfig:
    max_steps: int = 3000
    batch: int = 128
    patience: int = 10  # evaluations without a 0.5-point gain in best accuracy before giving up
    paper_recipe: bool = False  # constant lr and loss 0.5*log(1+err^2), as Michaud et al. trained
    give_up_early: bool = True  # abandon a stalled batch (off to time a recipe to its budget)
    shrinking: bool = False  # a pass for sizes below a solved one's: given up on sooner
    lr: float = 1e-2
    eval_every: int = 200
    eval_size: int = 4096  # held-out sequences checked at each evaluation
    confirm_size: int = 50_000  # fresh sequences that must also be right before success


@dataclass(frozen=True)
class Stage:
    depth: int
    hidden: tuple[int, ...]
    widths: tuple[int, ...] = (0,)
    steps: int = 3000


DEFAULT_STAGES = (
    Stage(1, (1, 2, 3, 4, 5, 6, 7, 8), (0,), 4000),
    Stage(2, (1, 2, 3, 4), (16, 32), 3000),
    Stage(2, (4, 8, 16), (64,), 4000),
    Stage(3, (8, 16, 32), (64,), 4000),
)


CPU_SEEDS = 3  # seeds per architecture on the CPU, where each model costs its own time
# On CUDA a batch of tiny models costs about as much per step as one model: more seeds per stage
# raise the chance that a small architecture solves, for the same time (not measured here: no
# GPU was at hand; `--seeds` sets it).
CUDA_SEEDS = 12


@dataclass(frozen=True)
class SearchOptions:
    seeds: int | None = None  # per architecture; None: CPU_SEEDS, or CUDA_SEEDS on CUDA
    first_seed: int | None = None  # default: the spec's data seed
    budget: float = 300.0  # seconds for the whole search
    device: str = "cpu"
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    config: TrainConfig = field(default_factory=TrainConfig)

    @property
    def seeds_per_architecture(self) -> int:
        if self.seeds is not None:
            return self.seeds
        return CUDA_SEEDS if self.device == "cuda" else CPU_SEEDS


def default_encoding(task: Task) -> str:
    """One-hot for small alphabets feeding a classifier; raw numbers (the paper's choice) when the
    outputs are numeric, since arithmetic on raw values is what a linear network can do exactly."""
    hinted = task.hint("encoding")
    if hinted:
        return hinted
    small = all(len(c.values) <= MAX_ONEHOT for c in task.inputs)
    return "onehot" if small and default_head(task) == "classify" else "raw"


def default_head(task: Task) -> str:
    hinted = task.hint("head")
    if hinted:
        return hinted
    return "classify" if all(o.cardinality <= MAX_CLASSES for o in task.outputs) else "regress"


PAPER_FAMILY = ("raw", "regress")  # the paper's input encoding and output head


def families(task: Task) -> tuple[tuple[str, str], ...]:
    """The (input encoding, output head) pairs the search trains, the default first, then the
    paper's raw inputs with rounded regression: an order on the values can take fewer hidden
    units than one-hot classes do (min_seen trains at n=1 with it, at n=4 one-hot and
    classified). Hints on either fix the pair."""
    default = (default_encoding(task), default_head(task))
    if task.hint("encoding") or task.hint("head") or default == PAPER_FAMILY:
        return (default,)
    return (default, PAPER_FAMILY)


def plan(task: Task, options: SearchOptions) -> tuple[Stage, ...]:
    """The stages to try, narrowed by the spec's hints."""
    stages = options.stages
    transition, layers = task.hint("transition"), task.hint("layers")
    hidden, width = task.hint("hidden"), task.hint("width")
    if transition == "linear" or layers == 1:
        stages = tuple(s for s in stages if s.depth == 1)
    elif transition == "mlp":
        stages = tuple(s for s in stages if s.depth > 1)
    if layers:
        stages = tuple(s for s in stages if s.depth == layers) or (
            Stage(layers, (1, 2, 4, 8), (64,), 4000),
        )
    if hidden:
        stages = tuple(replace(s, hidden=(hidden,)) for s in stages)
        stages = tuple(dict.fromkeys(stages))
    if width:
        stages = tuple(
            dict.fromkeys(replace(s, widths=(width,)) if s.depth > 1 else s for s in stages)
        )
    return stages


def model_seeds(task: Task, options: SearchOptions) -> range:
    first = task.data.seed if options.first_seed is None else options.first_seed
    return range(first, first + options.seeds_per_architecture)


def search_material(task: Task, options: SearchOptions) -> dict:
    """What determines the network a search finds: the spec, the search and its options. Library
    versions and the device are left out: a module compiled under numpy 2.4.5 is the module
    numpy 2.4.6 would give, and marking it stale would fail every check on a patch release."""
    return {
        "task": task.sha256,
        "search": SEARCH_VERSION,
        "stages": [s.__dict__ for s in plan(task, options)],
        "seeds": list(model_seeds(task, options)),
        "config": options.config.__dict__,
        "families": families(task),
        "mipsdsl": __version__,
    }


def cache_key(task: Task, options: SearchOptions) -> str:
    """The training cache's key: the search's material plus what the stored weights depend on
    bit for bit (torch, numpy and the device they were trained on)."""
    material = {
        **search_material(task, options),
        "device": options.device,
        "torch": importlib.metadata.version("torch"),
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
