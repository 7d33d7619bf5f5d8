"""A `Program` stepped in z3: one position's new states, outputs and undefinedness as terms of
the old states and the inputs, the same run `Program.run` makes on numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import z3

from mipsdsl import expr as E
from mipsdsl.program import Program
from mipsdsl.prove.encode import Term, as_bool, as_int, encode


@dataclass(frozen=True)
class Stepped:
    states: dict[str, z3.ArithRef]  # after the step
    outputs: dict[str, z3.ArithRef]
    undefined: z3.BoolRef  # some step or output divided by zero


def step(program: Program, states: Mapping[str, Term], inputs: Mapping[str, Term]) -> Stepped:
    """One position of `program` from `states` on `inputs` (terms by name)."""
    env: dict[str, Term] = {**inputs, **states}
    new = dict(states)
    undefined: list[z3.BoolRef] = []
    for s in program.steps:
        encoded = encode(s.expr, env)
        env[s.name] = encoded.value
        undefined.append(encoded.undefined)
        if s.kind == "update":
            new[s.name] = encoded.value
    outputs = {}
    for name, expr in program.outputs:
        encoded = encode(expr, env)
        outputs[name] = as_int(encoded.value)
        undefined.append(encoded.undefined)
    return Stepped(
        {name: as_int(value) for name, value in new.items()},
        outputs,
        z3.simplify(z3.Or(*undefined)) if undefined else z3.BoolVal(False),
    )


def state_variables(program: Program, tag: str) -> dict[str, z3.ArithRef]:
    """A fresh z3 integer per state, named `tag.name`."""
    return {name: z3.Int(f"{tag}.{name}") for name in program.state_names}


def initial_states(program: Program) -> dict[str, z3.ArithRef]:
    return {name: z3.IntVal(value) for name, value in program.states}


@dataclass(frozen=True)
class Domain:
    """The input alphabets: the values each channel may take at a position."""

    names: tuple[str, ...]
    alphabets: tuple[tuple[int, ...], ...]

    def variables(self, suffix: str) -> dict[str, z3.ArithRef]:
        return {name: z3.Int(f"{name}{suffix}") for name in self.names}

    def constraint(self, inputs: Mapping[str, z3.ArithRef]) -> z3.BoolRef:
        parts = []
        for name, values in zip(self.names, self.alphabets, strict=True):
            x = inputs[name]
            if list(values) == list(range(values[0], values[-1] + 1)):
                parts.append(z3.And(x >= values[0], x <= values[-1]))
            else:
                parts.append(z3.Or(*(x == v for v in values)))
        return z3.And(*parts)


def differs(a: Stepped, b: Stepped, names: Sequence[str]) -> z3.BoolRef:
    """Some output in `names` has different values in the two steps."""
    return z3.Or(*(a.outputs[name] != b.outputs[name] for name in names))


def relation_env(
    spec: Mapping[str, Term],
    program: Mapping[str, Term],
    terms: Sequence[tuple[str, E.Expr]] = (),
) -> dict[str, Term]:
    """The names relations between the two programs read: `spec.<state>`, `program.<state>`,
    and `spec.<name>` for the spec's named values over its states (`terms`)."""
    env = {f"spec.{name}": term for name, term in spec.items()}
    env.update({f"program.{name}": term for name, term in program.items()})
    for name, expr in terms:
        env[f"spec.{name}"] = as_int(encode(expr, spec).value)
    return env


def truth(relation: E.Expr, env: Mapping[str, Term]) -> z3.BoolRef:
    """A relation (a truth-valued expression) as a z3 Boolean over the terms in `env`."""
    return as_bool(encode(relation, env).value)
