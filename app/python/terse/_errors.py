"""The exceptions of the terse package: one class per engine error code, all under terse.Error.

Each carries ``code`` (the engine's stable name, e.g. ``"invalid_argument"``) and ``detail`` (the English
message naming the file, field or position at fault). They also derive from the built-in exception a
Python user would catch for the same problem (ValueError, LookupError, OSError, ...).
"""


class Error(Exception):
    """Any error reported by Terse's engine."""

    code = "internal"
    #: the CLI's exit code for the same error (README, "Exit codes")
    exit_code = 1

    def __init__(self, detail, code=None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code

    def __str__(self):
        return self.detail


class InvalidArgumentError(Error, ValueError):
    """A parameter is out of range or inconsistent (rate, option value, unknown option)."""
    code = "invalid_argument"
    exit_code = 2


class InvalidInputError(Error, ValueError):
    """The text or data is unusable: empty, binary, invalid UTF-8, too large."""
    code = "invalid_input"
    exit_code = 3


class NotFoundError(Error, LookupError):
    """A file, model, method or record does not exist."""
    code = "not_found"
    exit_code = 4


class IOFailedError(Error, OSError):
    """Reading or writing a file failed."""
    code = "io_error"


class FormatError(Error, ValueError):
    """A file is malformed (truncated, bad header, bad JSON, wrong offsets)."""
    code = "format_error"


class UnsupportedError(Error, NotImplementedError):
    """A valid file or option this build does not handle."""
    code = "unsupported"


class CancelledError(Error):
    """The work was cancelled."""
    code = "cancelled"
    exit_code = 130


class ModelError(Error, RuntimeError):
    """The model failed while computing."""
    code = "model_error"


class DatabaseError(Error):
    """The session store failed."""
    code = "database_error"


class InternalError(Error, RuntimeError):
    """A bug: an unexpected exception inside the engine."""
    code = "internal"


_BY_CODE = {cls.code: cls for cls in (InvalidArgumentError, InvalidInputError, NotFoundError, IOFailedError,
                                      FormatError, UnsupportedError, CancelledError, ModelError, DatabaseError,
                                      InternalError)}


def from_engine(code, detail):
    """The exception for an engine error code and detail (called by the C++ module)."""
    return _BY_CODE.get(code, Error)(detail, code)
