"""Errors that stages raise for problems a user can cause; the CLI prints them without a
traceback."""


class MipsError(Exception):
    """Base of every user-facing error that is not a spec diagnostic."""


class DataError(MipsError):
    """Data cannot be generated or read; `output` names the output channel at fault, if any."""

    def __init__(self, message: str, output: str | None = None):
        super().__init__(message)
        self.output = output
