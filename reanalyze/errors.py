"""The exception hierarchy of reanalyze.

Every error the toolkit raises on purpose derives from :class:`ReanalyzeError`, so a script can
catch them all with one ``except`` clause, and the command-line interface turns any of them
into one line on standard error and a non-zero exit status (no traceback): 2 for an
:class:`OptionError` (a misused option), 1 for everything else (bad data).

::

    ReanalyzeError
    ├── DataError          a file or table cannot be read or is not what was asked for
    │   └── ColumnError    a named column is missing, ambiguous or not numeric
    ├── UnitError          a unit string pint does not know, or one of the wrong dimension
    ├── OptionError        an option misused: a bad value, or an --out that would lose files
    │   └── UnknownNameError  a name none of the choices has (recipe, method, instrument,
    │                         loader, property plugin)
    ├── RegistryError      registry.yaml is malformed, or a name is not in it
    ├── PluginError        a loader or property plugin cannot be found or is broken
    └── FetchError         a remote dataset cannot be obtained
        ├── OfflineError   not in the cache and the network cannot be reached
        └── ChecksumError  the file's sha256 differs from the registry's

Messages are written to stand alone on one line: they name the file, column, option or entry
that is wrong and, where there is one, what to do about it. :func:`validation_message` writes
that line for a pydantic ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "ChecksumError",
    "ColumnError",
    "DataError",
    "FetchError",
    "OfflineError",
    "OptionError",
    "PluginError",
    "ReanalyzeError",
    "RegistryError",
    "UnitError",
    "UnknownNameError",
    "validation_message",
]


class ReanalyzeError(Exception):
    """Base class of every error raised on purpose by reanalyze."""


class DataError(ReanalyzeError, ValueError):
    """A data file or table cannot be read, or does not hold what was asked for."""


class ColumnError(DataError, KeyError):
    """A named column is missing, ambiguous or holds non-numeric values."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnitError(ReanalyzeError, ValueError):
    """A unit string is unknown to pint, or has the wrong dimension for its quantity."""


class OptionError(ReanalyzeError, ValueError):
    """An option is misused: a value out of range or of the wrong form, or an output
    folder that would lose files. The command line exits with status 2."""


class UnknownNameError(OptionError):
    """A name that is none of the known choices: a recipe, a validation method, an instrument
    profile, a loader or a property plugin (the message lists the known ones). A dataset name
    that is not in the registry is a :class:`RegistryError` (data that cannot be found)."""


class RegistryError(ReanalyzeError, ValueError):
    """``registry.yaml`` is malformed, or a requested entry is not in it."""


class PluginError(ReanalyzeError):
    """A loader or property plugin cannot be found, imported or used."""


class FetchError(ReanalyzeError):
    """A remote dataset cannot be obtained."""


class OfflineError(FetchError):
    """The file is not in the cache and cannot be downloaded (no network)."""


class ChecksumError(FetchError):
    """A file's sha256 does not match the registry; it is never used silently."""


def validation_message(
    exc: ValidationError,
    where: str = "",
    *,
    field: str | None = "",
    skip: Collection[str] = (),
    more: bool = False,
) -> str:
    """The first error of a pydantic ``ValidationError`` as one line: ``WHERE: FIELD: MESSAGE``.

    Parameters
    ----------
    exc
        The validation error.
    where
        What was validated (a file, an option), put first; nothing when empty.
    field
        What the error's location is relative to, put before it with a dot (a profile's
        name). ``None`` leaves the location out, for a caller that names the field itself.
        An error of a whole model is located at ``top level``.
    skip
        Location parts to leave out, such as the tags of a discriminated union; pydantic's
        validator steps (``function-after[...]``) are always left out.
    more
        Add ``(and N more)`` when there are several errors.

    pydantic's ``Value error, `` before a validator's message is dropped.

    Examples
    --------
    >>> from pydantic import BaseModel, PositiveInt, ValidationError
    >>> class Step(BaseModel):
    ...     size: PositiveInt
    ...     count: int
    >>> try:
    ...     Step(size=0, count="x")
    ... except ValidationError as exc:
    ...     print(validation_message(exc, "plan.json", more=True))
    ...     print(validation_message(exc, field="step"))
    ...     print(validation_message(exc, field=None))
    plan.json: size: Input should be greater than 0 (and 1 more)
    step.size: Input should be greater than 0
    Input should be greater than 0
    """
    errors = exc.errors()
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if more and len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    if field is not None:
        loc = [str(p) for p in first["loc"]]
        parts = [p for p in loc if not p.startswith("function-") and p not in skip]
        location = ".".join([field, *parts]) if field else ".".join(parts) or "top level"
        message = f"{location}: {message}"
    return f"{where}: {message}" if where else message
