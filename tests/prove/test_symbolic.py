"""A program stepped in z3 computes what `Program.run` computes."""

from __future__ import annotations

import numpy as np
import z3

from mipsdsl.prove.symbolic import Domain, initial_states, step
from tests.prove.conftest import program_of

PROGRAM = program_of(
    "task c\ninput x in {-3, 0, 4}\nlength 6\nstate s = 1, m = 0\n"
    "let q = (s * x) // 3\nupdate s = s + q - (x % 2)\nupdate m = max(m, abs(s))\n"
    "output y = if m > 5 then s % 7 else -s\n"
)


def test_stepping_in_z3_gives_the_programs_outputs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        xs = rng.choice([-3, 0, 4], size=6)
        want = PROGRAM.run(xs.reshape(1, -1, 1).astype(np.int64))[0, :, 0]
        states = initial_states(PROGRAM)
        for t, x in enumerate(xs):
            stepped = step(PROGRAM, states, {"x": z3.IntVal(int(x))})
            assert z3.simplify(stepped.outputs["y"]).as_long() == want[t]
            assert z3.is_false(z3.simplify(stepped.undefined))
            states = {name: z3.simplify(term) for name, term in stepped.states.items()}


def test_the_domain_is_the_alphabet_exactly():
    domain = Domain(("x",), ((-3, 0, 4),))
    x = domain.variables("")
    solver = z3.Solver()
    solver.add(domain.constraint(x))
    seen = set()
    while solver.check() == z3.sat:
        value = solver.model()[x["x"]].as_long()
        seen.add(value)
        solver.add(x["x"] != value)
    assert seen == {-3, 0, 4}
