"""Read the YAML and JSON files reanalyze is given, with one-line errors.

:func:`read_bytes` reads a data file (or its head); :func:`read_yaml` (and :func:`parse_yaml`
for text) read a YAML file that holds a mapping; :func:`read_json` reads the JSON file of a
folder reanalyze wrote. Writing goes through :mod:`reanalyze._atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from reanalyze.errors import DataError, ReanalyzeError

__all__ = ["parse_yaml", "read_bytes", "read_json", "read_yaml"]

TOP_LEVEL = "a mapping at the top level"


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of the data file ``path`` (the first ``limit`` of them, if given).

    Raises
    ------
    DataError
        One line naming the file: missing, a folder, permission denied, or another I/O error
        (with the system's reason).
    """
    file = Path(path)
    try:
        if file.is_dir():
            raise DataError(f"{file}: is a folder, not a data file")
        with open(file, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit)
    except (FileNotFoundError, NotADirectoryError):
        raise DataError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{file}: is a folder, not a data file") from None
    except PermissionError:
        raise DataError(f"{file}: permission denied (the file cannot be read)") from None
    except OSError as exc:
        raise DataError(f"{file}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def parse_yaml(
    text: str,
    where: str | Path,
    *,
    error: type[ReanalyzeError] = DataError,
    expected: str = TOP_LEVEL,
    empty: bool = False,
) -> dict[str, Any]:
    """The mapping that the YAML ``text`` holds.

    Parameters
    ----------
    where
        The file, named first in a message.
    error
        The exception raised (one line naming ``where``).
    expected
        What the text should hold, for the message of one that holds no mapping.
    empty
        Whether empty text is an empty mapping (otherwise it is refused as not a mapping).

    Examples
    --------
    >>> parse_yaml("layers: [2, 4]", "space.yaml")
    {'layers': [2, 4]}
    >>> parse_yaml("layers: [2, 4", "space.yaml")
    Traceback (most recent call last):
    ...
    reanalyze.errors.DataError: space.yaml: line 1 expected ',' or ']', but got '<stream end>'
    >>> parse_yaml("- 2", "space.yaml", expected="a mapping of search-space keys")
    Traceback (most recent call last):
    ...
    reanalyze.errors.DataError: space.yaml: expected a mapping of search-space keys
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise error(f"{where}:{line} {problem}") from None
    if raw is None and empty:
        return {}
    if not isinstance(raw, dict):
        raise error(f"{where}: expected {expected}")
    return raw


def read_yaml(
    path: str | Path,
    what: str,
    *,
    error: type[ReanalyzeError] = DataError,
    expected: str = TOP_LEVEL,
    empty: bool = False,
) -> dict[str, Any]:
    """The mapping that the YAML file ``path``, a ``what`` file, holds.

    A missing file is ``PATH: no such WHAT file``; the rest is :func:`parse_yaml`'s.
    """
    file = Path(path)
    if not file.is_file():
        raise error(f"{file}: no such {what} file")
    return parse_yaml(
        file.read_text(encoding="utf-8"), file, error=error, expected=expected, empty=empty
    )


def read_json(file: str | Path, what: str) -> Any:
    """The JSON content of ``file``, the main file of a ``what`` folder.

    Raises
    ------
    DataError
        No file (``FOLDER: not a WHAT folder (no NAME)``) or a damaged one.
    """
    path = Path(file)
    if not path.is_file():
        raise DataError(f"{path.parent}: not a {what} folder (no {path.name})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: damaged ({exc})") from None
