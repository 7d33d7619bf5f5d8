"""`mipsc lsp`: the checker's diagnostics placed as the protocol wants them, hovers, a JSON-RPC
round trip with the server in a child process, and the TextMate grammar's coverage."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mipsdsl.check.context import FUNCTIONS
from mipsdsl.diagnostics import Severity, Span
from mipsdsl.lsp.analysis import Position, analyse, place
from tests.conftest import ROOT

pytest.importorskip("pygls", reason="the language server needs the lsp extra")

BROKEN = """task demo
input x in [0, 3)
length 10
state s = 0
output y = sum(z) % 3 + foo(x)
"""
FIXED = """task demo "Running sum."
input x in [0, 3)
length 10
let total = sum(x)
output y = total % 3
"""
GRAMMAR = ROOT / "editors" / "vscode" / "syntaxes" / "mips.tmLanguage.json"
TIMEOUT = 30  # seconds any one message may take before the test fails instead of hanging


def test_spans_become_zero_based_ranges_inside_the_text():
    lines = ["output y = sum(z)", ""]
    assert place(Span(1, 16, 1, 17), lines) == (Position(0, 15), Position(0, 16))
    # no end: the word at the start; past the end of a line: an empty range there
    assert place(Span(1, 12), lines) == (Position(0, 11), Position(0, 14))
    assert place(Span(1, 40), lines) == (Position(0, 17), Position(0, 17))
    assert place(Span(9, 1), lines) == (Position(1, 0), Position(1, 0))
    assert place(None, lines) == (Position(0, 0), Position(0, 0))


def test_errors_and_warnings_come_with_their_severity_and_place():
    found = analyse(BROKEN, "demo.mips").findings
    assert [(f.severity, f.message, f.start, f.end) for f in found] == [
        (Severity.WARNING, "state variable 's' is never updated", Position(3, 6), Position(3, 11)),
        (Severity.ERROR, "unknown name 'z'", Position(4, 15), Position(4, 16)),
        (Severity.ERROR, "unknown function 'foo'", Position(4, 24), Position(4, 27)),
    ]
    syntax = analyse("task demo\ninput x in [0, 3\n", "demo.mips").findings
    assert len(syntax) == 1 and syntax[0].severity is Severity.ERROR
    assert syntax[0].start.line == 1
    # a byte-order mark the editor keeps moves the first line's ranges by one
    found = analyse("\ufefftask class\n", "demo.mips").findings
    (name,) = [f for f in found if "task name" in f.message]
    assert (name.start, name.end) == (Position(0, 6), Position(0, 11))
    assert all(f.start == Position(0, 0) for f in found if f is not name)  # no span: the start


def test_hovers_name_alphabets_and_bounds():
    hovers = analyse(FIXED, "demo.mips").hovers
    assert hovers["demo"] == "**task demo**\n\nRunning sum."
    assert hovers["x"] == "**input x** in [0, 3): 3 values"
    assert "values in [0, 20] (21 values)" in hovers["total"]
    assert "values in [0, 2] (3 values)" in hovers["y"]
    symbols = analyse("task p\ninput p in {'(', ')'}\nlength 4\noutput y = p\n", "p.mips")
    assert "'(' = 0, ')' = 1" in symbols.hovers["p"]
    assert analyse(BROKEN, "demo.mips").hovers == {}


class Client:
    """JSON-RPC over the server's stdio with Content-Length framing; a reader thread, so that a
    silent server fails the test after TIMEOUT seconds instead of blocking it."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mipsdsl.lsp"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                key, value = line.decode("ascii").split(":", 1)
                headers[key.strip().lower()] = value.strip()
            if not headers:
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, method, params=None, id=None):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if id is not None:
            message["id"] = id
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def receive(self, what):
        """The next message satisfying `what` (log messages from the server are skipped)."""
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(f"the language server sent nothing for {TIMEOUT} s")
            if what(message):
                return message


@pytest.fixture
def client():
    started = Client()
    yield started
    if started.process.poll() is None:
        started.process.kill()
    started.process.wait(TIMEOUT)


def test_language_server_round_trip(client, tmp_path):
    uri = (tmp_path / "demo.mips").as_uri()
    client.send("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, id=1)
    reply = client.receive(lambda m: m.get("id") == 1)
    assert reply["result"]["capabilities"]["hoverProvider"]
    client.send("initialized", {})
    document = {"uri": uri, "languageId": "mips-spec", "version": 1, "text": BROKEN}
    client.send("textDocument/didOpen", {"textDocument": document})
    published = client.receive(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert published["params"]["uri"] == uri
    assert [
        (d["message"], d["severity"], d["range"]) for d in published["params"]["diagnostics"]
    ] == [
        ("state variable 's' is never updated", 2, _range(3, 6, 3, 11)),
        ("unknown name 'z'", 1, _range(4, 15, 4, 16)),
        ("unknown function 'foo'", 1, _range(4, 24, 4, 27)),
    ]

    change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": FIXED}]}
    client.send("textDocument/didChange", change)
    published = client.receive(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert published["params"]["diagnostics"] == [] and published["params"]["version"] == 2

    at_total = {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 13}}
    client.send("textDocument/hover", at_total, id=2)
    hover = client.receive(lambda m: m.get("id") == 2)["result"]
    assert hover["contents"]["kind"] == "markdown"
    assert hover["contents"]["value"].startswith("**let total**")
    client.send("textDocument/hover", {**at_total, "position": {"line": 4, "character": 19}}, id=3)
    assert client.receive(lambda m: m.get("id") == 3)["result"] is None  # on '%': no name

    client.send("shutdown", id=4)
    assert client.receive(lambda m: m.get("id") == 4)["result"] is None
    client.send("exit")
    assert client.process.wait(TIMEOUT) == 0


def _range(line, character, end_line, end_character):
    return {
        "start": {"line": line, "character": character},
        "end": {"line": end_line, "character": end_character},
    }


def _scopes() -> list[tuple[str, re.Pattern]]:
    """(scope, pattern) for every `match` in the grammar, nested ones included."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "match" in node and "name" in node:
                found.append((node["name"], re.compile(node["match"])))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(GRAMMAR.read_text(encoding="utf-8")))
    return found


def test_textmate_grammar_covers_every_keyword_of_the_lark_grammar():
    package = json.loads((GRAMMAR.parent.parent / "package.json").read_text(encoding="utf-8"))
    (grammar,) = package["contributes"]["grammars"]
    assert (GRAMMAR.parent.parent / grammar["path"]).resolve() == GRAMMAR.resolve()
    lark = Path(ROOT / "mipsdsl" / "syntax" / "mips.lark").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in lark.splitlines())  # comments dropped
    words = set(re.findall(r'"([A-Za-z_]+)"', code))
    assert {"task", "input", "palindrome", "t", "xor", "not"} <= words
    scopes = _scopes()
    for word in words:
        assert any(
            p.fullmatch(word) and not scope.startswith(("entity", "string", "comment"))
            for scope, p in scopes
        ), f"keyword '{word}' is not highlighted"
    for function in FUNCTIONS:
        assert any(
            scope == "support.function.mips" and p.match(f"{function}(x)") for scope, p in scopes
        ), f"function '{function}' is not highlighted"
