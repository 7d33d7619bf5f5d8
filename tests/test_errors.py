"""User-facing errors: one base class the CLI prints without a traceback, and a data error that
names the output at fault."""

from __future__ import annotations

import pytest

from mipsdsl.data import DataError as ExportedDataError
from mipsdsl.errors import DataError, MipsError
from mipsdsl.extract import ExtractionError


def test_a_data_error_is_a_mips_error_naming_its_output():
    found = DataError("output 'y' divides by zero", output="y")
    assert isinstance(found, MipsError) and str(found) == "output 'y' divides by zero"
    assert found.output == "y"
    assert DataError("no output at fault").output is None


def test_stage_errors_share_the_base_the_cli_catches():
    assert ExportedDataError is DataError
    for raised in (DataError("d"), ExtractionError("e")):
        with pytest.raises(MipsError):
            raise raised
    assert not issubclass(MipsError, (KeyboardInterrupt, SystemExit))
