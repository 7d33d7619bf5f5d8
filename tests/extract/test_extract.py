"""What every extraction path shares: its error, and fresh names for the variables it makes."""

from __future__ import annotations

from mipsdsl.errors import MipsError
from mipsdsl.extract import ExtractionError, fresh


def test_fresh_names_skip_those_taken_and_join_them():
    taken = {"s", "s_2", "x"}
    assert fresh("s", taken) == "s_3"
    assert fresh("s", taken) == "s_4"  # the first fresh name is taken now
    assert fresh("p", taken) == "p"
    assert {"s_3", "s_4", "p"} <= taken


def test_an_extraction_error_is_a_user_facing_error():
    assert issubclass(ExtractionError, MipsError)
