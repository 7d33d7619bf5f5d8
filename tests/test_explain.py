"""`mipsc explain`: DOT, PNG and markdown for a machine and for a lattice, from stand-in networks
(no training), and once end to end on a tiny spec trained within seconds."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys

import pytest

from mipsdsl.check import check
from mipsdsl.errors import MipsError
from mipsdsl.explain.choose import choose
from mipsdsl.explain.command import add_explain_arguments, cmd_explain
from mipsdsl.explain.explaining import write_explanation
from mipsdsl.explain.figure import pyplot
from mipsdsl.syntax import parse
from tests.conftest import ROOT
from tests.extract.conftest import context_of, counter
from tests.extract_standins import StandIn, line

pytest.importorskip("matplotlib", reason="explain draws with the viz extra")

PNG = b"\x89PNG\r\n\x1a\n"
TINY = """task tiny_parity "Parity of the bits so far."
input x in {0, 1}
length 4
output y = sum(x) % 2
data size 2000 train 90% seed 0
hint hidden 1
"""


def task_of(text):
    return check(parse(text, "spec.mips"))[0]


def parsed_dot(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Nodes (name -> label) and edges (source, target, label) of the DOT explain writes; fails
    on anything else, so that the text is known to be a well-formed digraph."""
    lines = text.strip().splitlines()
    assert re.fullmatch(r'digraph "[^"]*" \{', lines[0]) and lines[-1] == "}"
    quoted = r'"((?:[^"\\]|\\.)*)"'
    nodes, edges = {}, []
    for statement in lines[1:-1]:
        statement = statement.strip()
        if node := re.fullmatch(rf"(n\d+) \[label={quoted}\];", statement):
            nodes[node[1]] = node[2]
        elif edge := re.fullmatch(rf"(\w+) -> (n\d+)(?: \[label={quoted}\])?;", statement):
            edges.append((edge[1], edge[2], edge[3] or ""))
        else:
            assert re.fullmatch(r"(\w+=[^;]+|\w+ \[[^\]]*\]|start \[shape=point\]);", statement)
    assert all(s in nodes or s == "start" for s, _, _ in edges)
    assert all(t in nodes for _, t, _ in edges)
    return nodes, edges


def check_png(path):
    assert path.read_bytes()[:8] == PNG
    image = pyplot().imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def check_summary(explained):
    text = explained.files["summary"].read_text(encoding="utf-8")
    for name in re.findall(r"\]\(([^)]+)\)", text):
        assert (explained.files["summary"].parent / name).is_file(), name
    return text


def test_a_state_machine_is_drawn_with_its_states_and_transitions(tmp_path):
    task = task_of("task m3\ninput x in [0, 3)\nlength 6\noutput y = sum(x) % 3\n")
    ctx = context_of(counter(3), task)  # three hidden units: the picture is a projection
    chosen = choose(ctx, None, None)
    assert chosen.extraction.path == "finite-state machine"
    explained = write_explanation(task, ctx, chosen, tmp_path, "a stand-in")
    nodes, edges = parsed_dot(explained.files["dot"].read_text(encoding="utf-8"))
    assert sorted(nodes.values()) == ["q0\\ns=0", "q1\\ns=1", "q2\\ns=2"]
    assert len(edges) == 1 + 9 and ("n0", "n1", "1/1") in edges  # the start arrow, 3 x 3
    check_png(explained.files["png"])
    text = check_summary(explained)
    assert "a finite machine of 3 states" in text and "update s = (s + x) % 3" in text
    assert "principal components" in text


def test_a_lattice_is_drawn_as_the_states_it_reaches(tmp_path):
    task = task_of("task running_sum\ninput x in {0, 1, 2}\nlength 6\noutput y = sum(x)\n")
    embed, decode = line(0.5)
    network = StandIn(
        update=lambda s, x: s + x[:, 0],
        output=lambda s, x: (s + x[:, 0])[:, None],
        embed=embed,
        decode=decode,
    )
    ctx = context_of(network, task, head="regress")
    chosen = choose(ctx, None, None)
    assert chosen.extraction.path == "integer lattice"
    explained = write_explanation(task, ctx, chosen, tmp_path, "a stand-in")
    nodes, edges = parsed_dot(explained.files["dot"].read_text(encoding="utf-8"))
    assert nodes["n0"] == "s=0" and len(nodes) == 13  # sums 0..12 within 6 steps
    assert ("n0", "n1", "1/1") in edges
    check_png(explained.files["png"])
    assert "no finite machine" in check_summary(explained)


def test_svg_is_rendered_when_graphviz_is_installed(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed: explain writes DOT text only")
    task = task_of("task m2\ninput x in {0, 1}\nlength 6\noutput y = sum(x) % 2\n")
    ctx = context_of(counter(2), task)
    explained = write_explanation(task, ctx, choose(ctx, None, None), tmp_path, "a stand-in")
    assert b"<svg" in explained.files["svg"].read_bytes()
    assert "![state graph](m2.svg)" in check_summary(explained)


def test_without_matplotlib_explain_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # importing it now fails
    with pytest.raises(MipsError, match=r"pip install 'mipsdsl\[viz\]'"):
        pyplot()


def explain_args(*argv):
    parser = argparse.ArgumentParser()
    add_explain_arguments(parser)
    return parser.parse_args([str(a) for a in argv])


def test_explain_end_to_end_on_a_tiny_spec(write_spec, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))
    spec = write_spec(TINY, "tiny_parity.mips")
    out = tmp_path / "out"
    args = explain_args(spec, "-o", out, "--budget", 60, "--generated", tmp_path / "none")
    assert cmd_explain(args) == 0
    assert "tiny_parity: wrote" in capsys.readouterr().out
    nodes, _ = parsed_dot((out / "tiny_parity.dot").read_text(encoding="utf-8"))
    assert len(nodes) == 2
    check_png(out / "tiny_parity.png")
    assert "output y = s" in (out / "tiny_parity.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["missing.mips"], 2, "missing.mips: error: no such file"),
        (["broken.mips"], 1, "error: unknown name 'z'"),
        (["broken.mips", "--budget", "0"], 2, "--budget must lie in 1..86400"),
        (["broken.mips", "-o", "a_file"], 1, "'a_file' is not a directory"),
    ],
)
def test_bad_input_is_a_message_and_an_exit_status(tmp_path, argv, status, message):
    (tmp_path / "broken.mips").write_text(
        "task b\ninput x in {0, 1}\nlength 4\noutput y = z\n", encoding="utf-8"
    )
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mipsdsl.explain", *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == status and message in done.stderr
    assert "Traceback" not in done.stderr
