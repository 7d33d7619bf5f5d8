"""The compiler driver: a spec file in, a verified Python module out, one named stage at a time.

    check -> (up to date?) -> train -> trace -> extract, path by path -> assemble -> verify
          -> prove -> name states -> emit

`compile_spec` reads as that list: each step is one call that returns a typed value or raises
`StageFailed` naming the stage. Training is cached by its own content
hash; a module whose recorded compile key matches (same spec, options and versions) is up to date
and nothing runs. Extraction is handed the network and the input domain only: the spec's target
labels the training data (inside `train`) and judges the finished program (`verify`), nothing else.

Stage messages go to `logging.getLogger("mipsdsl")` at INFO: `mipsc` prints them to stderr, a
library caller sees them only if it configures logging.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mipsdsl import __version__
from mipsdsl.check import load_task
from mipsdsl.diagnostics import SpecError
from mipsdsl.emit.names import named_by_proof
from mipsdsl.emit.provenance import FORMAT_VERSION, ProvenanceError, read_provenance
from mipsdsl.errors import MipsError
from mipsdsl.task import Task
from mipsdsl.train.options import SearchOptions, search_material
from mipsdsl.verify import Verdict, VerifyOptions, verify

if TYPE_CHECKING:
    from mipsdsl.extract.context import Extraction
    from mipsdsl.program import Program
    from mipsdsl.prove import Proof
    from mipsdsl.train.search import TrainedRNN

log = logging.getLogger("mipsdsl")
# Bumped when extraction changes what it makes of the same network; history in CHANGELOG.md.
EXTRACTION_VERSION = 14
# Bumped when the prover may say something else about the same program.
PROOF_VERSION = 1
# The modules the stages import when they first run: a pool of compile workers imports them once
# (`scaleout.Processes`), not once per task (a worker that imports them itself takes 3.3 s to
# start, one forked from a server that did 0.03 s: benchmarks/startup.py).
STAGE_MODULES = (
    "torch",
    "scipy.optimize",
    "scipy.sparse",
    "mipsdsl.train.search",
    "mipsdsl.extract.trace",
    "mipsdsl.extract.paths",
    "mipsdsl.extract.assemble",
    "mipsdsl.extract.enumerative",
    "mipsdsl.prove",
    "mipsdsl.emit.module",
)


@dataclass(frozen=True)
class CompileOptions:
    output_dir: Path = Path("generated")
    seed: int | None = None  # first training seed (default: the spec's data seed)
    seeds: int | None = None  # seeds per architecture (default: by device, see SearchOptions)
    device: str = "cpu"  # where the network trains ("cuda" where there is a GPU)
    budget: float = 300.0  # seconds of training
    regress_seconds: float = 60.0  # nominal seconds of formula search (an amount of work)
    max_formula_size: int = 9  # IR nodes per formula
    regressor: str = "enumerative"  # or "pysr", where Julia is available
    trace_sequences: int = 2000  # sequences the network is traced on (and as many to check)
    force: bool = False  # retrain and recompile even when cached or up to date
    recompile: bool = False  # recompile even when up to date (training may still come from cache)
    verify: VerifyOptions = field(default_factory=VerifyOptions)
    prove_seconds: float = 30.0  # for the proof of the verified program
    # extraction mechanisms switched off, for an ablation (`mipsdsl.extract.mechanisms`)
    without: frozenset[str] = frozenset()

    def __post_init__(self):
        from mipsdsl.extract.mechanisms import checked

        checked(self.without)  # an unknown name is refused before anything runs


class StageFailed(MipsError):
    """A stage could not do its job; `progress` holds what was known by then (for reports)."""

    def __init__(self, task: str, stage: str, message: str, progress: dict | None = None):
        super().__init__(f"{task}: {stage} failed: {message}")
        self.task, self.stage, self.progress = task, stage, progress or {}


@dataclass(frozen=True)
class Compiled:
    """What one compile made. When the module was up to date nothing ran, and only the summary
    read back from it is here (`CompileOptions(recompile=True)` runs the stages again)."""

    task: str
    path: Path
    up_to_date: bool  # nothing ran: the module on disk was compiled with the same key
    summary: dict  # what was found and checked, as recorded in the module's provenance
    seconds: dict  # per stage
    program: Program | None = None
    verdict: Verdict | None = None
    proof: Proof | None = None
    extraction: Extraction | None = None  # the machine or lattice read out, with its figures
    network: TrainedRNN | None = None
    failures: tuple[PathFailure, ...] = ()  # the paths tried before, and why each gave nothing

    def to_json(self) -> dict:
        """The summary and, for a fresh compile, the search's log: for reports, not modules."""
        report = {
            "task": self.task,
            "path": str(self.path),
            "up_to_date": self.up_to_date,
            **self.summary,
            "seconds": self.seconds,
        }
        if self.network is not None:  # as first trained, also when it came from the cache
            report["trained_seconds"] = round(self.network.seconds, 2)
            report["training_attempts"] = list(self.network.attempts)
        if self.extraction is not None:
            report["search"] = {
                "details": self.extraction.details,
                "paths_failed": [str(f) for f in self.failures],
            }
        return report


def module_path(task: Task, options: CompileOptions) -> Path:
    return Path(options.output_dir) / f"{task.name}.py"


def compile_key(task: Task, options: CompileOptions) -> str:
    """Everything that determines the module: spec, options that change results, mipsdsl's own
    versions. Not the installed libraries (the module records them for information only)."""
    material = {
        "training": search_material(task, _search_options(options)),
        "regress_seconds": options.regress_seconds,
        "max_formula_size": options.max_formula_size,
        "regressor": options.regressor,
        "trace_sequences": options.trace_sequences,
        "verify": asdict(options.verify),
        "prove_seconds": options.prove_seconds,
        "mipsdsl": __version__,
        "extraction": EXTRACTION_VERSION,
        "proof": PROOF_VERSION,
        "format": FORMAT_VERSION,
    }
    if options.without:  # only then, so that the keys of full compiles stay as they were
        material["without"] = sorted(options.without)
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def compile_spec(
    spec: str | Path, options: CompileOptions = CompileOptions(), bars: bool = False
) -> Compiled:
    """Compile one spec into `options.output_dir/<task>.py`; raises StageFailed, SpecError.

    Each stage logs a line to the "mipsdsl" logger; `bars` shows training progress bars."""
    clock = _Stopwatch()
    task, _ = load_task(spec)
    clock.lap("check")
    path, key = module_path(task, options), compile_key(task, options)
    summary = _recorded_summary(path, key, options)
    if summary is not None:
        log.info(f"{task.name}: {path} is up to date")
        return Compiled(task.name, path, True, summary, clock.seconds)
    _check_regressor(task, options)
    network = _train(task, options, bars, clock)
    ctx = _trace(task, network, options)
    clock.lap("trace")
    extraction, program, verdict, proof, failures = _extract_and_verify(task, ctx, options, clock)
    program, proof = named_by_proof(program, proof, task)
    log.info(f"{task.name}: writing {path}")
    _emit(task, network, extraction, program, verdict, proof, key, path, clock)
    clock.lap("emit")
    summary = summary_of(read_provenance(path)[0])
    return Compiled(
        task.name,
        path,
        False,
        summary,
        clock.seconds,
        program,
        verdict,
        proof,
        extraction,
        network,
        tuple(failures),
    )


class _Stopwatch:
    """Seconds per stage, in the order the stages ran."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 2)
        self._last = now


@dataclass(frozen=True)
class PathFailure:
    """Why one extraction path gave no program: it found nothing, its program failed
    verification (`verdict`), or the prover refuted it (`proof`, with a counterexample)."""

    path: str
    reason: str
    verdict: Verdict | None = None
    proof: Proof | None = None

    def __str__(self) -> str:
        if self.verdict is not None:
            return f"{self.path}: the program failed verification:\n{self.verdict.report()}"
        if self.proof is not None:
            return f"{self.path}: the prover {self.proof.reason}:\n{self.proof.table()}"
        return f"{self.path}: {self.reason}"


def _recorded_summary(path: Path, key: str, options: CompileOptions) -> dict | None:
    """The summary recorded in the module at `path` when it is up to date: written by mipsc, not
    edited since, with this compile key. None when it must be compiled."""
    if options.force or options.recompile or not path.is_file():
        return None
    try:
        recorded, edited = read_provenance(path)
    except ProvenanceError:
        return None
    if edited or recorded.get("compile_key") != key:
        return None
    return summary_of(recorded)


def summary_of(provenance: dict) -> dict:
    """What was found and checked, for the CLI and the reports, read from a module's
    provenance."""
    found = provenance.get("extraction") or {}
    verification = provenance.get("verification") or {}
    status = {True: "passed", False: "FAILED", None: "not run"}
    return {
        "extraction_path": found.get("path"),
        "method": found.get("method"),
        "regression": found.get("regression"),
        "symbolic": found.get("symbolic"),
        "formula_nodes": found.get("formula_nodes"),
        "state_variables": found.get("state_variables"),
        "architecture": provenance.get("architecture"),
        "verification": {
            name: status[level.get("passed")]
            for name, level in (verification.get("levels") or {}).items()
        },
        "proved": verification.get("proved"),
    }


def _check_regressor(task: Task, options: CompileOptions) -> None:
    """Fail before training, not after, when the asked-for regression cannot run here."""
    if options.regressor == "pysr":
        from mipsdsl.extract.pysr_backend import unavailable_reason

        reason = unavailable_reason()
        if reason is not None:
            raise StageFailed(task.name, "extract", f"--regressor pysr: {reason}")


def _train(task: Task, options: CompileOptions, bars: bool, clock: _Stopwatch):
    """The smallest exact network (from the cache when possible). The stage's seconds are the
    time it took; the network keeps the seconds its training took (`trained_seconds` in
    reports)."""
    from mipsdsl.train.search import TrainingFailed, train

    log.info(f"{task.name}: training")
    try:
        network = train(task, _search_options(options), force=options.force, progress=bars)
    except TrainingFailed as exc:
        clock.lap("train")
        raise StageFailed(task.name, "train", str(exc), {"seconds": clock.seconds}) from None
    clock.lap("train")
    if network.cached:
        log.info(f"{task.name}: training: cached (trained in {network.seconds:.1f} s)")
    return network


def _trace(task: Task, network, options: CompileOptions, say: Callable[[str], None] = log.info):
    """The extraction context: the network traced on two independent samples, the input domain
    and the regression budget. The spec's target is not in it. `say` gets the stage line (by
    default the log; `mipsc explain` has its own)."""
    from mipsdsl.extract.context import Context, Regression
    from mipsdsl.extract.trace import CHECK_STREAM, trace

    say(f"{task.name}: tracing {network.arch.describe()}")
    return Context(
        network=network,
        output_head=network.head.kind,
        alphabets=tuple(c.values for c in task.inputs),
        inputs=tuple(c.name for c in task.inputs),
        outputs=tuple(o.name for o in task.outputs),
        fit=trace(network, task, options.trace_sequences, task.data.seed),
        check=trace(network, task, options.trace_sequences, task.data.seed, CHECK_STREAM),
        regression=Regression(
            options.regress_seconds, options.max_formula_size, _regressor(options.regressor)
        ),
        without=options.without,
    )


def _extract_and_verify(task: Task, ctx, options: CompileOptions, clock):
    """Each path in turn until one gives a verified program with formulas (a verified state
    table is kept in case none does; for a task given by examples, every path, keeping the
    smallest program), each verified on samples, then proved or refuted: (extraction, program,
    verdict, proof, the paths that gave nothing)."""
    from mipsdsl.extract import paths
    from mipsdsl.extract.assemble import assemble

    chosen, failures = None, []
    for path in paths.in_order(ctx):
        log.info(f"{task.name}: extracting: {path.NAME}")
        try:
            extraction = path.extract(ctx)
        except MipsError as exc:
            failures.append(PathFailure(path.NAME, str(exc)))
            clock.lap(f"extract ({path.NAME})")
            continue
        program = assemble(extraction.formulas)
        clock.lap(f"extract ({path.NAME})")
        log.info(f"{task.name}: verifying the program from the {path.NAME}")
        verdict = verify(task, program, options.verify)
        clock.lap(f"verify ({path.NAME})")
        if not verdict.passed:
            failures.append(PathFailure(path.NAME, "failed verification", verdict))
            continue
        log.info(f"{task.name}: proving the program from the {path.NAME}")
        proof = _prove(task, program, options)
        clock.lap(f"prove ({path.NAME})")
        if proof.counterexample is not None:
            failures.append(PathFailure(path.NAME, "refuted", proof=proof))
            continue
        if chosen is None or _simpler(extraction, chosen[0]):
            chosen = (extraction, program, verdict, proof)
        # With a target, its checks at other lengths and the proof stand between the data and a
        # program that merely fits it, and the first program with formulas is taken. An examples
        # file has nothing beyond itself (a saturating counter can fit every sequence of it), so
        # there every path is tried and the smallest program wins.
        if extraction.symbolic and task.examples is None:
            break
    if chosen is None:
        stage = "extract"
        if any(f.verdict is not None for f in failures):
            stage = "verify"
        elif any(f.proof is not None for f in failures):
            stage = "prove"
        progress = {"seconds": clock.seconds, "architecture": ctx.network.arch.describe()}
        reasons = "\n  " + "\n  ".join(map(str, failures))
        raise StageFailed(task.name, stage, reasons, progress)
    return (*chosen, failures)


def _simpler(found: Extraction, kept: Extraction) -> bool:
    """Formulas over a state table, then fewer formula nodes."""
    return (found.symbolic, -found.formulas.size()) > (kept.symbolic, -kept.formulas.size())


def _prove(task: Task, program, options: CompileOptions):
    """The verified program proved equal to the spec: for every length when induction finds an
    invariant, else up to the spec's length, else refuted by a counterexample."""
    from mipsdsl.prove import Proof, prove

    if task.examples is not None:
        return Proof(None, "not proved: the spec is given by examples, with no target to prove")
    return prove(task, program, seconds=options.prove_seconds)


def _emit(task, network, extraction, program, verdict, proof, key, path, clock):
    """Write the module with its provenance (atomically, once re-verified in a fresh process)."""
    from mipsdsl.emit.module import EmitError, Provenance, emit_module

    provenance = Provenance(
        extraction=_describe(network, extraction),
        seed=network.seed,
        architecture=network.arch.describe(),  # every field of the architecture, in words
        training={"steps": network.steps, "confirmed_on_sequences": network.confirmed_on},
        found={
            "path": extraction.path,
            "method": extraction.method,
            "regression": extraction.regression,
            "symbolic": extraction.symbolic,
            "formula_nodes": extraction.formulas.size(),
            "state_variables": len(program.states),
        },
        compile_key=key,
        proof=proof,
        state_table=not extraction.symbolic,
    )
    try:
        emit_module(program, task, verdict, path, provenance)
    except EmitError as exc:
        progress = {"seconds": clock.seconds, "architecture": network.arch.describe()}
        raise StageFailed(task.name, "emit", str(exc), progress) from None


def preflight(specs: Sequence[str | Path], options: CompileOptions) -> list[str]:
    """Every reason known before training that a run of these specs would fail or lose work: two
    specs of one task (the second module would replace the first), an output directory that
    cannot be written, a task name too long for a file name, and a module at the output path that
    mipsc did not write (replaced only with `force`). A spec that does not check is left to its
    own compile, which reports its diagnostics."""
    problems: list[str] = []
    seen: dict[str, str | Path] = {}
    directory = Path(options.output_dir)
    if not _writable(directory):
        problems.append(f"cannot write to the output directory '{directory}'")
    for spec in specs:
        try:
            task, _ = load_task(spec)
        except (SpecError, MipsError):
            continue
        path = module_path(task, options)
        if task.name in seen:
            problems.append(f"'{spec}' and '{seen[task.name]}' are both task '{task.name}'")
            continue
        seen[task.name] = spec
        if len(os.fsencode(f".{path.stem}.XXXXXXXX.py")) > _name_max(directory):
            problems.append(f"task name '{task.name[:40]}...' is too long for a file name")
        elif not options.force and path.is_file():
            try:
                read_provenance(path)
            except ProvenanceError:
                problems.append(f"'{path}' was not written by mipsc: use --force to replace it")
    return problems


def _writable(directory: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


def _name_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


@dataclass(frozen=True)
class ModuleCheck:
    """`mipsc compile --check` on one module: why it is not what compiling would write (None when
    it is), and a note for information that never fails the check."""

    problem: str | None
    note: str | None = None


def check_module(spec: str | Path, options: CompileOptions) -> ModuleCheck:
    """Whether the committed module for `spec` is what compiling would write."""
    task, _ = load_task(spec)
    path = module_path(task, options)
    if not path.is_file():
        return ModuleCheck(f"{path} does not exist")
    try:
        recorded, edited = read_provenance(path)
    except ProvenanceError as exc:
        return ModuleCheck(str(exc))
    if edited:
        return ModuleCheck(f"{path} was edited by hand")
    if recorded.get("compile_key") != compile_key(task, options):
        return ModuleCheck(f"{path} is stale (the spec, the options or mipsdsl changed)")
    return ModuleCheck(None, _library_note(recorded.get("versions")))


def module_diff(spec: str | Path, options: CompileOptions) -> str:
    """What `mipsc compile --check --diff` shows: a unified diff of the committed module against
    the module compiling now would write, compiled into a temporary directory (its network from
    the training cache when it is there, else trained). Empty when nothing would change."""
    task, _ = load_task(spec)
    path = module_path(task, options)
    before = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    with tempfile.TemporaryDirectory(prefix="mipsc-diff-") as scratch:
        fresh = replace(options, output_dir=Path(scratch), recompile=True)
        after = compile_spec(spec, fresh).path.read_text(encoding="utf-8").splitlines()
    diff = difflib.unified_diff(
        before, after, f"{path} (committed)", f"{path} (compiled now)", lineterm=""
    )
    return "\n".join(diff)


def _library_note(recorded) -> str | None:
    """Which libraries the module was built with that differ from the installed ones."""
    if not isinstance(recorded, dict):
        return None
    differ = []
    for name in ("torch", "numpy"):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "none"
        if name in recorded and str(recorded[name]) != installed:
            differ.append(f"{name} {recorded[name]} (installed: {installed})")
    if not differ:
        return None
    return "built with " + ", ".join(differ) + "; the module does not depend on them"


def _search_options(options: CompileOptions):
    return SearchOptions(
        seeds=options.seeds, first_seed=options.seed, budget=options.budget, device=options.device
    )


def _regressor(name: str):
    if name == "pysr":
        from mipsdsl.extract.pysr_backend import regress_pysr

        return regress_pysr
    from mipsdsl.extract.enumerative import regress

    return regress


def _describe(network, extraction) -> str:
    """One line for the module's docstring: where the program came from."""
    n = network.arch.hidden
    found = f"{extraction.method}, read out of an RNN with {n} hidden unit{'s' * (n != 1)}"
    if not extraction.symbolic:
        found += "; no formula found within the budget, so the program is the verified state table"
    return found
