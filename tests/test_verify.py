"""Verification: hand-written programs for benchmark tasks pass every level; subtly wrong ones are
caught with a true counterexample; each level checks what it says it checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mipsdsl import expr as E
from mipsdsl import verify as verification
from mipsdsl.check import check, load_task
from mipsdsl.data import make_dataset, save_dataset
from mipsdsl.data.label import label
from mipsdsl.program import Program, Step, program_from_task
from mipsdsl.syntax import parse
from mipsdsl.verify import (
    Verdict,
    VerificationError,
    VerifyOptions,
    load_module,
    verify,
    verify_module,
)
from tests.conftest import SPECS

V, C, B = E.Var, E.Const, E.Binary
FAST = VerifyOptions(held_out=3000, longer=300, exhaustive_limit=100_000)


def task_of(name: str):
    return load_task(SPECS / f"{name}.mips", sample=0)[0]


def program_from_text(text: str) -> Program:
    task, _ = check(parse(text, "program.mips"))
    return program_from_task(task)


def full_adder(initial_carry: int = 0) -> Program:
    """Binary addition with no arithmetic: the sum bit is a xor, the carry a majority."""
    a, b, carry = V("a"), V("b"), V("carry")
    half = B("xor", a, b)
    return Program(
        inputs=("a", "b"),
        states=(("carry", initial_carry),),
        steps=(
            Step("let", "bit", B("xor", half, carry)),
            Step("update", "carry", B("or", B("and", a, b), B("and", carry, half))),
        ),
        outputs=(("y", V("bit")),),
    )


ADD_MOD_3 = """task p
input x in [0, 3)
length 10
state s = 0
update s = (s + x) % {modulus}
output y = s
"""

# Written by hand, not copied from the spec: velocity and position in one go.
NEWTON_SPRING = Program(
    inputs=("F",),
    states=(("v", 0), ("p", 0)),
    steps=(
        Step("update", "v", B("-", B("+", V("v"), V("F")), V("p"))),
        Step("update", "p", B("+", V("p"), V("v"))),
    ),
    outputs=(("y", V("p")),),
)

# Two outputs: the force turned by the field is folded into the velocity updates.
NEWTON_MAGNETIC = program_from_text("""task p
input F0, F1 in [-10, 11)
length 10
state v0 = 0, v1 = 0, p0 = 0, p1 = 0
let old0 = v0
update v0 = v0 + F0 - v1
update v1 = v1 + F1 + old0
update p0 = p0 + v0
update p1 = p1 + v1
output y0 = p0
output y1 = p1
""")

# Right while the velocity stays within +-100, which ten steps of |F| <= 10 never leave.
SATURATING_FREEBODY = program_from_text("""task p
input F in [-10, 11)
length 10
state v = 0, p = 0
update v = max(-100, min(100, v + F))
update p = p + v
output y = p
""")


def assert_true_counterexample(task, program: Program, found) -> None:
    """The counterexample's expected values are the spec's, its got values the program's, and
    its position is the first where they differ."""
    x = np.array(found.inputs, dtype=np.int64)[None]
    lengths = np.array([x.shape[1]])
    assert label(task, x, lengths)[0].tolist() == [list(r) for r in found.expected]
    assert program.run(x, lengths)[0].tolist() == [list(r) for r in found.got]
    differs = [t for t in range(x.shape[1]) if found.expected[t] != found.got[t]]
    assert differs and differs[0] == found.position


def levels(verdict: Verdict) -> dict:
    return {level.name: level for level in verdict.levels}


def test_full_adder_verifies_exhaustively_on_every_level():
    verdict = verify(task_of("binary_addition"), full_adder())
    assert verdict.passed
    found = levels(verdict)
    assert [level.name for level in verdict.levels] == ["held-out", "exhaustive", "longer"]
    assert found["held-out"].sequences == 100_000 and found["held-out"].length == (10, 10)
    assert found["exhaustive"].exhaustive and found["exhaustive"].sequences == 4**10
    assert found["longer"].sequences == 10_000 and found["longer"].length == (100, 100)
    assert all(level.counterexample is None for level in verdict.levels)


@pytest.mark.parametrize(
    "name, program",
    [
        ("add_mod_3", program_from_text(ADD_MOD_3.format(modulus=3))),
        ("newton_spring", NEWTON_SPRING),
        ("newton_magnetic", NEWTON_MAGNETIC),
    ],
    ids=["add_mod_3", "newton_spring", "newton_magnetic"],
)
def test_hand_written_programs_verify(name, program):
    verdict = verify(task_of(name), program, FAST)
    assert verdict.passed, verdict.report()
    exhaustive = levels(verdict)["exhaustive"]
    if name == "add_mod_3":
        assert exhaustive.exhaustive and exhaustive.sequences == 3**10
    else:  # 21 (or 441) values per position: every prefix of the longest length that fits
        assert not exhaustive.exhaustive and exhaustive.sequences <= FAST.exhaustive_limit
        assert "as prefixes" in exhaustive.description


def test_initial_state_off_by_one_is_caught_at_the_first_position():
    task, wrong = task_of("binary_addition"), full_adder(initial_carry=1)
    verdict = verify(task, wrong, FAST)
    assert not verdict.passed
    assert all(level.passed is False for level in verdict.levels)
    found = levels(verdict)["exhaustive"].counterexample
    assert found.sequence == 0 and found.position == 0  # the all-zero sequence comes first
    assert found.inputs[0] == (0, 0) and found.expected[0] == (0,) and found.got[0] == (1,)
    assert_true_counterexample(task, wrong, found)
    assert_true_counterexample(task, wrong, levels(verdict)["held-out"].counterexample)


def test_wrong_modulus_gives_the_first_counterexample_in_order():
    task, wrong = task_of("add_mod_3"), program_from_text(ADD_MOD_3.format(modulus=4))
    found = levels(verify(task, wrong, FAST))["exhaustive"].counterexample
    # in lexicographic order, 0 0 0 0 0 0 0 0 1 2 is the first whose sum reaches 3
    assert found.sequence == 5
    assert found.inputs == ((0,),) * 8 + ((1,), (2,))
    assert (found.position, found.expected[9], found.got[9]) == (9, (0,), (3,))
    table = found.table()
    assert "t  x  expected y  got y" in table
    assert table.splitlines()[-1].split() == ["9", "2", "0", "3", "<-", "wrong"]


def test_a_program_wrong_only_on_long_sequences_fails_only_the_longer_level():
    task = task_of("newton_freebody")
    verdict = verify(task, SATURATING_FREEBODY, FAST)
    found = levels(verdict)
    assert found["held-out"].passed and found["exhaustive"].passed
    assert found["longer"].passed is False and not verdict.passed
    counterexample = found["longer"].counterexample
    assert counterexample.position >= 10
    assert_true_counterexample(task, SATURATING_FREEBODY, counterexample)
    assert "<- wrong" in counterexample.table() and "..." in counterexample.table()


def test_exhaustive_covers_every_length_of_a_range(write_spec):
    task, _ = load_task(write_spec(ADD_MOD_3.format(modulus=3).replace("length 10", "length 3..6")))
    program = program_from_text(ADD_MOD_3.format(modulus=3))
    exhaustive = levels(verify(task, program, FAST))["exhaustive"]
    assert exhaustive.passed and exhaustive.exhaustive
    assert exhaustive.sequences == 3**3 + 3**4 + 3**5 + 3**6 and exhaustive.length == (3, 6)
    assert exhaustive.description == "all 1,080 sequences of lengths 3..6"


def test_exhaustive_enumerates_each_alphabet_and_every_length_exactly_once(write_spec):
    task, _ = load_task(
        write_spec(
            "task p\ninput p in {'(', ')'}\ninput q in {2, 5, 7}\nlength 1..3\n"
            "output y = p * q\n"
        )
    )
    seen = []

    def recording(x, lengths):
        seen.extend(tuple(map(tuple, row[:m].tolist())) for row, m in zip(x, lengths, strict=True))
        return label(task, x, lengths)

    one_each = VerifyOptions(held_out=1, longer=1)
    exhaustive = levels(verify(task, recording, one_each))["exhaustive"]
    assert exhaustive.passed and exhaustive.sequences == 6 + 6**2 + 6**3
    enumerated = seen[1:-1]  # between the held-out sequence and the longer one
    assert len(set(enumerated)) == len(enumerated) == exhaustive.sequences
    assert {len(sequence) for sequence in enumerated} == {1, 2, 3}
    assert {pair for sequence in enumerated for pair in sequence} == {
        (p, q) for p in (0, 1) for q in (2, 5, 7)
    }


def test_a_structured_generator_is_replaced_by_uniform_inputs_for_longer_sequences(write_spec):
    # Every generated sequence starts with a 2-palindrome, so x[0] == x[1] always: a program that
    # is wrong whenever they differ passes held-out data and nothing else.
    task, _ = load_task(
        write_spec(
            "task p\ninput x in {0, 1}\nlength 6\ngenerate palindrome length 2 then uniform\n"
            "state s = 0\nupdate s = (s + x) % 2\noutput y = s\n"
        )
    )
    wrong = program_from_text(
        "task q\ninput x in {0, 1}\nlength 6\nstate s = 0, first = 0, n = 0\n"
        "update first = if n == 0 then x else first\nupdate n = min(n + 1, 3)\n"
        "update s = (s + x) % 2\noutput y = if n == 2 and x != first then 1 - s else s\n"
    )
    verdict = verify(task, wrong, FAST)
    found = levels(verdict)
    assert found["held-out"].passed
    assert found["exhaustive"].passed is False and found["longer"].passed is False
    assert "uniform over the alphabet" in found["longer"].description


def test_an_examples_task_is_checked_on_its_data_file_and_says_so(write_spec, tmp_path):
    source = task_of("add_mod_3")
    save_dataset(make_dataset(source, n=500, seed=3), tmp_path / "data.npz")
    task, _ = load_task(
        write_spec('task mystery\ninput x in [0, 3)\nexamples "data.npz"\noutput y\n')
    )
    good = verify(task, program_from_text(ADD_MOD_3.format(modulus=3)), FAST)
    assert good.passed and [level.name for level in good.levels] == ["examples"]
    assert good.levels[0].sequences == 500 and "only its data file" in good.note
    bad = verify(task, program_from_text(ADD_MOD_3.format(modulus=4)), FAST)
    assert not bad.passed and bad.levels[0].counterexample is not None


def test_a_program_that_divides_by_zero_fails_with_the_place_it_happened():
    task = task_of("add_mod_3")
    program = program_from_text(
        "task p\ninput x in [0, 3)\nlength 10\nstate s = 0\nupdate s = (s + x) % 3\n"
        "output y = s + 0 // (x - 2)\n"
    )
    found = levels(verify(task, program, FAST))["exhaustive"].counterexample
    assert found.got is None and found.sequence == 2 and found.position == 9
    assert "'y' divides by zero at t = 9" in found.error


def test_arity_mismatch_is_refused():
    with pytest.raises(VerificationError, match="reads 2 inputs"):
        verify(task_of("add_mod_3"), full_adder(), FAST)


def test_a_candidate_returning_the_wrong_shape_is_refused():
    with pytest.raises(VerificationError, match="shape"):
        verify(task_of("add_mod_3"), lambda x, lengths: x[..., :1, :], FAST)


def test_verdicts_round_trip_through_json():
    task = task_of("add_mod_3")
    verdict = verify(task, program_from_text(ADD_MOD_3.format(modulus=4)), FAST)
    again = Verdict.from_json(json.loads(json.dumps(verdict.to_json())))
    assert again == verdict
    assert verdict.to_json()["levels"][0]["counterexample"]["table"].startswith("sequence #")


# ---------------------------------------------------------------- modules


def module(tmp_path, body: str, name: str = "candidate.py"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


ADD_MOD_3_MODULE = """
def run(xs):
    s, ys = 0, []
    for x in xs:
        s = (s + x) % 3
        ys.append(s)
    return ys
"""


def test_a_hand_written_module_verifies(tmp_path):
    verdict = verify_module(task_of("add_mod_3"), module(tmp_path, ADD_MOD_3_MODULE), FAST)
    assert verdict.passed
    assert levels(verdict)["exhaustive"].exhaustive


def test_a_module_depending_on_the_total_length_is_caught_at_that_length(tmp_path, write_spec):
    task, _ = load_task(write_spec(ADD_MOD_3.format(modulus=3).replace("length 10", "length 3..6")))
    sneaky = ADD_MOD_3_MODULE.replace("return ys", "return ys if len(xs) != 5 else ys[:-1] + [7]")
    exhaustive = levels(verify_module(task, module(tmp_path, sneaky), FAST))["exhaustive"]
    assert exhaustive.passed is False
    assert len(exhaustive.counterexample.inputs) == 5 and exhaustive.counterexample.position == 4


def test_pure_python_exhaustive_checks_are_capped_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(verification, "PYTHON_EXHAUSTIVE_LIMIT", 1000)
    verdict = verify_module(task_of("add_mod_3"), module(tmp_path, ADD_MOD_3_MODULE), FAST)
    exhaustive = levels(verdict)["exhaustive"]
    assert exhaustive.passed and not exhaustive.exhaustive
    assert exhaustive.sequences == 3**6 and exhaustive.length == (6, 6)
    assert exhaustive.description == (
        "all 729 sequences of length 6, as prefixes (the 59,049 sequences of length 10 exceed "
        "the cap for a pure-Python run(), 1,000)"
    )


@pytest.mark.parametrize(
    "body, error",
    [
        ("def run(xs):\n    return [1 // (x - 1) for x in xs]\n", "run() raised ZeroDivisionError"),
        ("def run(xs):\n    return [0] * (len(xs) - 1)\n", "returned 9 outputs for 10 inputs"),
        ("def run(xs):\n    return [(0,) for x in xs]\n", "expected an int, got tuple"),
        ("def run(xs):\n    return [0.0 for x in xs]\n", "output at t = 0"),
        ("def run(xs):\n    return 3\n", "run() raised TypeError"),
        ("import sys\ndef run(xs):\n    sys.exit(3)\n", "run() raised SystemExit"),
    ],
)
def test_a_module_that_fails_is_reported_not_raised(tmp_path, body, error):
    verdict = verify_module(task_of("add_mod_3"), module(tmp_path, body), FAST)
    assert not verdict.passed
    found = verdict.levels[0].counterexample
    assert found.got is None and error in found.error


def test_outputs_beyond_int64_are_compared_exactly(tmp_path):
    body = "def run(xs):\n    return [2**70 + 1 for x in xs]\n"
    found = verify_module(task_of("add_mod_3"), module(tmp_path, body), FAST).levels[0]
    assert found.passed is False and found.counterexample.error is None
    assert found.counterexample.position == 0 and found.counterexample.got[0] == (2**70 + 1,)


def test_a_module_object_is_checked_from_its_file(tmp_path):
    loaded = load_module(module(tmp_path, ADD_MOD_3_MODULE))
    assert verify_module(task_of("add_mod_3"), loaded, FAST).passed


def test_the_first_wrong_sequence_is_reported_even_when_a_later_one_raises(tmp_path):
    body = ADD_MOD_3_MODULE.replace(
        "return ys", "assert xs[:2] != [2, 2]\n    return [0] * len(xs)"
    )
    found = verify_module(task_of("add_mod_3"), module(tmp_path, body), FAST).levels[1]
    assert found.counterexample.error is None  # 0 0 ... 0 1 is wrong before any 2 2 ... raises
    assert found.counterexample.inputs[-1] == (1,)


def test_a_two_output_module_returns_tuples(tmp_path):
    body = """
def run(xs):
    v0 = v1 = p0 = p1 = 0
    ys = []
    for f0, f1 in xs:
        v0, v1 = v0 + f0 - v1, v1 + f1 + v0
        p0, p1 = p0 + v0, p1 + v1
        ys.append((p0, p1))
    return ys
"""
    assert verify_module(task_of("newton_magnetic"), module(tmp_path, body), FAST).passed
