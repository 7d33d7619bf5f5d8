"""Explaining one spec: train (from the cache), trace, choose the extraction, write the files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mipsdsl.atomic import replacing
from mipsdsl.check import load_task
from mipsdsl.emit.provenance import ProvenanceError, read_provenance
from mipsdsl.explain.choose import Chosen, choose
from mipsdsl.explain.dot import render_svg, to_dot
from mipsdsl.explain.figure import draw, pyplot
from mipsdsl.explain.graph import Graph, read_states
from mipsdsl.explain.summary import summary_markdown
from mipsdsl.extract.context import Context
from mipsdsl.extract.paths import integer_lattice
from mipsdsl.pipeline import CompileOptions, check_module, module_path, summary_of
from mipsdsl.task import Task


@dataclass(frozen=True, eq=False)
class Explanation:
    task: str
    chosen: Chosen
    graph: Graph
    files: dict[str, Path]  # "summary", "dot", "png", and "svg" when Graphviz rendered it


def explain(
    spec: str | Path,
    out_dir: str | Path,
    options: CompileOptions | None = None,
    progress: Callable[[str], None] | None = None,
    bars: bool = False,
) -> Explanation:
    """Write `<task>.md`, `.dot`, `.png` (and `.svg` with Graphviz) into `out_dir`.

    `options` are the compile's (default: its defaults): its training plan finds the cached
    network, its `output_dir` the compiled module. Raises SpecError, or MipsError when
    matplotlib is missing, training fails or no path reads the network."""
    from mipsdsl.pipeline import _search_options, _trace  # the compile's own training and trace
    from mipsdsl.train.search import train

    options = options or CompileOptions()
    say = progress or (lambda _: None)
    pyplot()  # fail before training when matplotlib is missing
    task, _ = load_task(spec)
    say(f"{task.name}: training (from the cache when compiled before)")
    network = train(task, _search_options(options), progress=bars)
    ctx = _trace(task, network, options, say)
    say(f"{task.name}: extracting")
    chosen = choose(ctx, _recorded(spec, task, options), module_path(task, options))
    return write_explanation(task, ctx, chosen, out_dir, network.arch.describe(), say)


def write_explanation(
    task: Task,
    ctx: Context,
    chosen: Chosen,
    out_dir: str | Path,
    network: str,
    say: Callable[[str], None] = lambda _: None,
) -> Explanation:
    """The files for an extraction `chosen` from the traced network `ctx` (described by
    `network`): what `explain` writes once it has them, for any network."""
    states = read_states(task, chosen.program, ctx.fit, chosen.machine)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {kind: out / f"{task.name}.{kind}" for kind in ("dot", "png")}
    dot_text = to_dot(states.graph, task.name)
    _write(files["dot"], dot_text.encode("utf-8"))
    svg, svg_note = render_svg(dot_text)
    if svg is not None:
        files["svg"] = out / f"{task.name}.svg"
        _write(files["svg"], svg)
    say(f"{task.name}: drawing {files['png']}")
    lattice = chosen.extraction.path == integer_lattice.NAME
    placed = draw(states, lattice, f"{task.name}: hidden states", files["png"])
    files["summary"] = out / f"{task.name}.md"
    text = summary_markdown(
        task.name,
        task.description,
        network,
        chosen,
        states.graph,
        {kind: path.name for kind, path in files.items()},
        svg_note,
        placed,
    )
    _write(files["summary"], text.encode("utf-8"))
    return Explanation(task.name, chosen, states.graph, files)


def _recorded(spec: str | Path, task: Task, options: CompileOptions) -> str | None:
    """The extraction path of the compiled module, when `--check` would pass it."""
    if check_module(spec, options).problem is not None:
        return None
    try:
        recorded, _ = read_provenance(module_path(task, options))
    except ProvenanceError:
        return None
    return summary_of(recorded).get("extraction_path")


def _write(path: Path, data: bytes) -> None:
    with replacing(path, "wb") as handle:
        handle.write(data)
