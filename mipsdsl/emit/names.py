"""Program states named after the spec's variables they were proved equal to.

Extraction names states by their place (s, s1, s2), since it never sees the spec. Once the prover
has shown a state equal, at every position of every input, to a variable the spec's author named
(a `state` or a `let`), that name says the state's role: `carry = ...` reads better than
`s = ...`. Renaming changes no value, so the verdict and the proof still hold (and the module is
verified once more when it is written).
"""

from __future__ import annotations

import re
from dataclasses import replace

from mipsdsl.program import Program
from mipsdsl.prove import EVERY_LENGTH, Proof
from mipsdsl.task import Task


def named_by_proof(program: Program, proof: Proof, task: Task) -> tuple[Program, Proof]:
    """`program` with each state proved equal to exactly one of the spec's named variables
    renamed after it (when the name is free), and `proof` restated in the new names."""
    if proof.proved != EVERY_LENGTH:
        return program, proof
    authored = {name for name, _ in task.states} | {s.name for s in task.steps if s.kind == "let"}
    matches: dict[str, set[str]] = {}
    for state, spec_name in proof.equal_states:
        if spec_name in authored:
            matches.setdefault(state, set()).add(spec_name)
    taken = {*program.inputs, *program.output_names, *(s.name for s in program.steps)}
    taken |= set(program.state_names)
    names: dict[str, str] = {}
    for state in program.state_names:
        found = matches.get(state, set())
        if len(found) == 1 and (name := found.pop()) not in taken:
            names[state] = name
            taken.add(name)
    if not names:
        return program, proof
    return program.renamed(names), replace(
        proof,
        invariant=tuple(_restated(r, names) for r in proof.invariant),
        equal_states=tuple((names.get(a, a), b) for a, b in proof.equal_states),
    )


def _restated(relation: str, names: dict[str, str]) -> str:
    return re.sub(r"\bprogram\.(\w+)", lambda m: f"program.{names.get(m[1], m[1])}", relation)
