"""What the command modules share: the two consoles and the parsing of common options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from reanalyze.errors import DataError, OptionError, ReanalyzeError

__all__ = ["err", "out"]

#: Results go to standard output; notes, progress and errors to standard error.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _note(line: str) -> None:
    """One line on standard error, as it is (no markup)."""
    err.print(line, markup=False, highlight=False)


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise OptionError(f"{option} expects NAME=VALUE, got {item!r}")
        if key.strip() in result:
            raise OptionError(f"{option} {key.strip()} given twice")
        result[key.strip()] = value.strip()
    return result


def _loader_options(
    columns: list[str] | None,
    units: list[str] | None,
    kinds: list[str] | None,
    rename: list[str] | None,
    nonfinite: str,
    duplicates: str,
) -> dict[str, Any]:
    if nonfinite not in ("drop", "error"):
        raise OptionError(f"--nonfinite must be drop or error, got {nonfinite!r}")
    if duplicates not in ("drop", "error", "keep"):
        raise OptionError(f"--duplicates must be drop, error or keep, got {duplicates!r}")
    # only what differs from the loaders' defaults, so a registry dataset name (which takes
    # no options) still works with the defaults
    options: dict[str, Any] = {}
    if nonfinite != "drop":
        options["nonfinite"] = nonfinite
    if duplicates != "drop":
        options["duplicates"] = duplicates
    if columns:
        options["columns"] = columns
    if units:
        options["units"] = _pairs(units, "--units")
    if kinds:
        options["kinds"] = _pairs(kinds, "--kind")
    if rename:
        options["rename"] = _pairs(rename, "--rename")
    return options


def _write(table: Any, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table.to_parquet(path)
    elif suffix in (".csv", ".txt"):
        table.to_csv(path)
    else:
        raise OptionError(f"--out {path}: use a .csv or .parquet file name")


def _grid_source(grid: list[str], loader: str | None, units: list[str] | None) -> Any:
    """A points table when ``--grid`` names a file, else the spec strings."""
    from reanalyze.load import load

    if len(grid) == 1 and (Path(grid[0]).is_file() or "=" not in grid[0]):
        if not Path(grid[0]).is_file():
            raise DataError(f"--grid {grid[0]!r}: no such file, and not AXIS=START:STOP:STEP")
        options = {"units": _pairs(units, "--units")} if units else {}
        return load(grid[0], loader=loader, **options)
    return grid


def _mass(text: str) -> tuple[float, str]:
    """``--mass``: a positive, finite mass with a unit, as (magnitude, unit)."""
    from reanalyze.units import check_kind, parse_quantity

    hint = "expected a positive mass with a unit, e.g. 0.61mg"
    try:
        magnitude, unit = parse_quantity(text, where="--mass")
        check_kind(unit, "mass", where="--mass")
    except ReanalyzeError:
        raise OptionError(f"--mass {text!r}: {hint}") from None
    if not unit or not magnitude > 0:
        raise OptionError(f"--mass {text!r}: {hint}")
    return magnitude, unit
