"""The graph of states as Graphviz DOT text, and as SVG when Graphviz's `dot` is installed.

DOT is always written (it is text: a reviewer can read it, any viewer can draw it); rendering
needs the `dot` program, which is not a Python package, so its absence only skips the SVG.
"""

from __future__ import annotations

import shutil
import subprocess

from mipsdsl.explain.graph import Graph

RENDER_SECONDS = 60  # a graph of at most a few hundred states renders in well under a second


def to_dot(graph: Graph, title: str) -> str:
    """DOT text: nodes labelled with the state variables, the start marked by an arrow from
    an invisible point, edges labelled input/output."""
    lines = [
        f"digraph {_quoted(title)} {{",
        "  rankdir=LR;",
        f"  label={_quoted(title)};",
        "  labelloc=t;",
        '  node [shape=circle, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        "  start [shape=point];",
    ]
    lines += [f"  n{i} [label={_quoted(label)}];" for i, label in enumerate(graph.labels)]
    lines.append(f"  start -> n{graph.initial};")
    lines += [f"  n{e.source} -> n{e.target} [label={_quoted(e.label)}];" for e in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, line breaks as DOT's centred `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def render_svg(dot_text: str) -> tuple[bytes | None, str]:
    """The SVG `dot` draws, or None and why not (no `dot` on PATH, or `dot` failed)."""
    program = shutil.which("dot")
    if program is None:
        return None, "Graphviz `dot` is not installed"
    try:
        done = subprocess.run(
            [program, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"`dot` did not run: {exc}"
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, f"`dot` failed: {message[-1] if message else done.returncode}"
    return done.stdout, ""
