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
    ├── RegistryError      registry.yaml is malformed, or a name is not in it
    ├── PluginError        a loader or property plugin cannot be found or is broken
    └── FetchError         a remote dataset cannot be obtained
        ├── OfflineError   not in the cache and the network cannot be reached
        └── ChecksumError  the file's sha256 differs from the registry's

Messages are written to stand alone on one line: they name the file, column, option or entry
that is wrong and, where there is one, what to do about it.
"""

from __future__ import annotations

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
