"""The markdown summary: what was read out of the network, and links to the pictures."""

from __future__ import annotations

from mipsdsl.emit.printer import to_mips
from mipsdsl.explain.choose import Chosen
from mipsdsl.explain.graph import Graph
from mipsdsl.program import Program

MAX_LINE = 160  # a program line longer than this (a state table) is cut in the summary


def summary_markdown(
    title: str,
    description: str,
    network: str,
    chosen: Chosen,
    graph: Graph,
    files: dict[str, str],
    svg_note: str,
    placed: str,
) -> str:
    """`files` maps "dot", "png" and, when rendered, "svg" to names beside the summary."""
    extraction = chosen.extraction
    lines = [f"# {title}: what the network learned", ""]
    if description:
        lines += [description, ""]
    lines += [
        f"- Network: {network}",
        f"- Read out by the {extraction.path} path: {extraction.method}",
        f"- Chosen as {chosen.why}",
        f"- State: {_state(graph, extraction.path)}",
        "",
        "## The program",
        "",
        "```",
        *_program_lines(chosen.program),
        "```",
        "",
        "## States and transitions",
        "",
    ]
    if "svg" in files:
        lines += [f"![state graph]({files['svg']})", ""]
    else:
        lines += [f"No SVG: {svg_note}; the DOT file below draws with any Graphviz viewer.", ""]
    lines += [
        f"Graphviz source: [{files['dot']}]({files['dot']}) (edges are input/output).",
        "",
        "## Hidden states",
        "",
        f"![hidden states]({files['png']})",
        "",
        f"Each point is the network's hidden state after a step, placed by {placed} and "
        "coloured by the extracted state.",
        "",
    ]
    return "\n".join(lines)


def _state(graph: Graph, path: str) -> str:
    states = len(graph.labels)
    plural = "s" * (states != 1)
    if graph.finite:
        return f"a finite machine of {states} state{plural}, drawn whole"
    return (
        f"no finite machine: the {path} keeps unbounded integer state, so the graph shows "
        f"the {states} state{plural} reached within {graph.depth} step{'s' * (graph.depth != 1)} "
        "of the start"
    )


def _program_lines(program: Program) -> list[str]:
    """The program in the spec language's own syntax: states, steps, outputs."""
    lines = [f"input {name}" for name in program.inputs]
    lines += [f"state {name} = {value}" for name, value in program.states]
    lines += [f"{step.kind} {step.name} = {to_mips(step.expr)}" for step in program.steps]
    lines += [f"output {name} = {to_mips(expr)}" for name, expr in program.outputs]
    return [line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..." for line in lines]
