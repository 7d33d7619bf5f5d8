"""Extraction mechanisms by name: unknown names refused, every name the code consults
registered, a switched-off path or labelling skipped, what a result used recorded (a losing
candidate leaves no record), and nothing changed when no mechanism is switched off."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mipsdsl import CompileOptions
from mipsdsl import expr as E
from mipsdsl.errors import MipsError
from mipsdsl.extract import ExtractionError, mechanisms
from mipsdsl.extract.enumerative import RegressionResult
from mipsdsl.extract.fsm import StateMachine
from mipsdsl.extract.labelling import formulas_for
from mipsdsl.extract.membership import with_membership
from mipsdsl.extract.paths import ORDER, finite_state, in_order
from tests.extract.conftest import context_of, counter

EXTRACT = Path(mechanisms.__file__).parent
LABELLINGS = {
    "entry-labels",
    "breadth-first-labels",
    "permuted-labels",
    "register-labels",
    "counter-labels",
    "position-labels",
    "side-by-side",
}
PARITY = StateMachine(((0, 1),), 0, np.array([[0, 1], [1, 0]]), np.array([[[0], [1]], [[1], [0]]]))


def parity_context(task, without=frozenset()):
    return replace(context_of(counter(2), task), without=frozenset(without))


def first_extraction(ctx):
    """What the driver keeps, short of verifying: the first path that reads the network."""
    for path in in_order(ctx):
        try:
            return path.extract(ctx)
        except ExtractionError:
            continue
    return None


def test_an_unknown_name_is_refused_before_anything_runs():
    with pytest.raises(mechanisms.UnknownMechanism, match="no-such-pass.*known: finite-state"):
        CompileOptions(without=frozenset({"membership", "no-such-pass"}))
    assert issubclass(mechanisms.UnknownMechanism, MipsError)
    assert CompileOptions(without=frozenset({"membership"})).without == {"membership"}
    with pytest.raises(KeyError):
        mechanisms.on("no-such-pass")  # a slip in the code fails loudly too


def test_every_name_the_code_consults_is_registered_and_every_registered_one_is_consulted():
    consulted, recorded = set(), set()
    for source in EXTRACT.rglob("*.py"):
        text = source.read_text()
        for kind, arguments in re.findall(r"mechanisms\.(on|use)\(([^()]*)\)", text):
            names = set(re.findall(r'"([^"]+)"', arguments))
            (consulted if kind == "on" else recorded).update(names)
    paths = {path.MECHANISM for order in ORDER.values() for path in order}
    assert consulted | paths == set(mechanisms.MECHANISMS)
    assert recorded <= set(mechanisms.MECHANISMS) and len(recorded) > 10


def test_a_switched_off_path_is_not_tried_and_the_network_goes_to_another_path(parity):
    found = first_extraction(parity_context(parity))
    assert found is not None and found.path == finite_state.NAME
    assert found.mechanisms[0] == "finite-state"
    ctx = parity_context(parity, {"finite-state"})
    assert finite_state not in list(in_order(ctx))
    other = first_extraction(ctx)
    assert other is None or (
        other.path != finite_state.NAME and other.mechanisms[0] != "finite-state"
    )


def test_a_result_records_its_labelling_and_loses_nothing_without_what_it_did_not_use(parity):
    found = finite_state.extract(parity_context(parity))
    (labelling,) = set(found.mechanisms) & LABELLINGS
    unused = set(mechanisms.MECHANISMS) - set(found.mechanisms)
    same = finite_state.extract(parity_context(parity, unused))
    assert (same.formulas, same.method, same.mechanisms) == (
        found.formulas,
        found.method,
        found.mechanisms,
    )
    other = finite_state.extract(parity_context(parity, {labelling}))
    assert labelling not in other.mechanisms and other.method != found.method


def test_with_nothing_switched_off_a_path_gives_what_it_gave_before_the_switches(parity):
    found = finite_state.extract(parity_context(parity))
    plain = finite_state.extract.__wrapped__(parity_context(parity))  # no switches, no record
    assert plain.mechanisms == ()
    assert (found.formulas, found.method, found.details) == (
        plain.formulas,
        plain.method,
        plain.details,
    )


def test_without_any_labelling_the_machine_is_a_table_and_without_the_table_nothing():
    with mechanisms.switched_off(frozenset(LABELLINGS)), mechanisms.recording() as used:
        labelled = formulas_for(PARITY, ("x",), ("y",), seconds=5)
    assert not labelled.symbolic and used == {"state-table"}
    with mechanisms.switched_off(frozenset(LABELLINGS | {"state-table"})):
        with pytest.raises(ExtractionError, match="no labelling"):
            formulas_for(PARITY, ("x",), ("y",), seconds=5)


def test_a_membership_test_is_made_and_recorded_only_while_switched_on():
    def nothing(columns, targets, constants=(), budget=None, masks=None):
        return RegressionResult((None,), 0, 0.0, True)

    x = np.arange(20)
    square = np.isin(x, (0, 1, 4, 9, 16)).astype(np.int64)
    with mechanisms.recording() as used:
        (found,) = with_membership(nothing)({"x": x}, [square]).expressions
    assert isinstance(found, E.Member) and used == {"membership"}
    with mechanisms.switched_off(frozenset({"membership"})), mechanisms.recording() as used:
        assert with_membership(nothing)({"x": x}, [square]).expressions == (None,)
    assert used == set()


def test_a_candidate_that_gives_nothing_leaves_no_record():
    with mechanisms.recording() as used:
        assert mechanisms.kept(lambda: mechanisms.use("membership")) is None
        assert mechanisms.kept(lambda: mechanisms.use("decision-lists") or 1) == 1
    assert used == {"decision-lists"}
    mechanisms.use("membership")  # outside a record: nothing to add it to, and no error
