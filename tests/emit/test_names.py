"""States named after the spec's variables they were proved equal to."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mipsdsl.emit.names import named_by_proof
from mipsdsl.prove import prove
from tests.prove.conftest import program_of, task_of

SPEC = "task t\ninput x in [0, 10)\nlength 10\nstate acc = 0\nupdate acc = (acc + x) % 3\n"


def _candidate(state: str, output: str = "y") -> str:
    return (
        f"task c\ninput x in [0, 10)\nlength 10\nstate {state} = 0\n"
        f"update {state} = ({state} + x) % 3\noutput {output} = {state}\n"
    )


def _named(spec: str, candidate: str):
    task, program = task_of(spec), program_of(candidate)
    proof = prove(task, program)
    return program, proof, *named_by_proof(program, proof, task)


def test_a_state_proved_equal_to_a_spec_state_takes_its_name_and_the_proof_follows():
    program, proof, named, restated = _named(SPEC + "output y = acc\n", _candidate("s"))
    assert proof.invariant == ("program.s == spec.acc",)
    assert named.state_names == ("acc",) and restated.invariant == ("program.acc == spec.acc",)
    x = np.random.default_rng(0).integers(0, 10, size=(50, 10, 1))
    assert np.array_equal(named.run(x), program.run(x))


def test_a_name_the_spec_did_not_write_is_not_taken():
    # `sum(x)` streams as a state the prover calls sum_x, a name of its own making
    spec = "task t\ninput x in [0, 10)\nlength 10\noutput y = sum(x) % 3\n"
    program, proof, named, _ = _named(spec, _candidate("s"))
    assert proof.proved == "every length" and named is program


def test_a_name_already_in_the_program_is_not_taken_twice():
    # the candidate has a let called acc: its state keeps its own name
    candidate = (
        "task c\ninput x in [0, 10)\nlength 10\nstate s = 0\nlet acc = x\n"
        "update s = (s + acc) % 3\noutput y = s\n"
    )
    program, proof, named, _ = _named(SPEC + "output y = acc\n", candidate)
    assert ("s", "acc") in proof.equal_states and named is program


def test_without_a_proof_for_every_length_nothing_is_renamed():
    task, program = task_of(SPEC + "output y = acc\n"), program_of(_candidate("s"))
    proof = replace(prove(task, program), proved="length <= 10")
    assert named_by_proof(program, proof, task) == (program, proof)
