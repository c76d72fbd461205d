"""What the command modules share: the two consoles, the options several commands take, and
the parsing of common options."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reanalyze.errors import DataError, OptionError, ReanalyzeError

if TYPE_CHECKING:
    from reanalyze.outputs import FileAction

__all__ = [
    "OPTION_WORDS",
    "ColumnOption",
    "InstrumentsOption",
    "LoaderOption",
    "LoaderOptionsOption",
    "NoMlflowOption",
    "OverwriteFileOption",
    "OverwriteOption",
    "ParamOption",
    "RunDirArgument",
    "SlowAxisOption",
    "SlowValuesOption",
    "TrackingUriOption",
    "UnitsOption",
    "WorkersOption",
    "XOption",
    "YOption",
    "be_verbose",
    "err",
    "out",
    "print_table",
    "table_fits",
    "unit_header",
]

#: Results go to standard output; notes, progress and errors to standard error.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

#: How the command line sets the library parameters that messages tell the user to set
#: (:func:`reanalyze.wording.option`): every command runs inside these words.
OPTION_WORDS = {
    "units": "--units", "columns": "--column", "features": "--x", "target": "--y",
    "loader": "--loader", "overwrite": "--overwrite", "refresh": "--refresh",
    "allow_extrapolation": "--allow-extrapolation", "steps": "--steps", "port": "--port",
    "moment_column": "--loader-option moment_column=",
    "series_unit": "--loader-option series_unit=",
    "series_values": "--loader-option series_values=",
    "x": "--loader-option x=", "y": "--loader-option y=", "kinds": "--kind",
    "rename": "--rename", "nonfinite": "--nonfinite", "duplicates": "--duplicates",
    "slow_axis": "--slow-axis", "slow_values": "--value", "tracking_uri": "--tracking-uri",
}  # fmt: skip

# ------------------------------------------------- options several commands take
# Declared once, so that the same option has the same name, short form and help everywhere.
RunDirArgument = Annotated[Path, typer.Argument(help="Run folder of a trained twin.")]
XOption = Annotated[list[str] | None, typer.Option("--x", help="Feature column (repeat).")]
YOption = Annotated[str | None, typer.Option("--y", help="Target column.")]
UnitsOption = Annotated[
    list[str] | None, typer.Option("--units", "-u", help="COLUMN=UNIT (repeat).")
]
LoaderOption = Annotated[str | None, typer.Option(help="Loader name (default: recognized).")]
LoaderOptionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--loader-option",
        help="The loader's own option KEY=VALUE, e.g. moment_column=NAME, series_unit=T, "
        "series_values.LABEL='1 T' (repeat).",
    ),
]
WorkersOption = Annotated[int, typer.Option(min=0, help="Worker processes (0: one per core).")]
TrackingUriOption = Annotated[str | None, typer.Option(help="MLflow tracking URI.")]
NoMlflowOption = Annotated[bool, typer.Option("--no-mlflow", help="Do not log to MLflow.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
OverwriteOption = Annotated[
    bool, typer.Option("--overwrite", help="Allow a non-empty --out that reanalyze did not write.")
]
OverwriteFileOption = Annotated[
    bool, typer.Option("--overwrite", help="Replace an existing --out file.")
]
ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Plugin parameter KEY=VALUE (repeat)."),
]
SlowAxisOption = Annotated[str | None, typer.Option(help="Column constant within each file.")]
ColumnOption = Annotated[
    list[str] | None, typer.Option("--column", "-c", help="Column of the files to keep (repeat).")
]
SlowValuesOption = Annotated[
    list[str] | None,
    typer.Option("--value", help="Slow-axis value per file, e.g. '1 T' (repeat, in file order)."),
]
InstrumentsOption = Annotated[
    Path | None, typer.Option("--instruments", help="YAML file adding/overriding profiles.")
]


def be_verbose() -> None:
    """``--verbose``: let TensorFlow's start-up lines, MLflow's and every Python warning
    through, in this process and in the workers it starts (``REANALYZE_VERBOSE=1``)."""
    import os
    import warnings

    from reanalyze.twin.quiet import VERBOSE_ENV

    os.environ[VERBOSE_ENV] = "1"
    warnings.simplefilter("default")


def unit_header(name: str, unit: str) -> str:
    """A column header with its unit in conventional notation: ``spread (J kg⁻¹ K⁻¹)``."""
    from reanalyze.units import pretty_unit

    pretty = pretty_unit(unit)
    return f"{name} ({pretty})" if pretty else name


def _plain(cell: Any) -> str:
    if isinstance(cell, Text):
        return cell.plain
    try:
        return Text.from_markup(str(cell)).plain
    except Exception:  # not valid markup: shown as it is
        return str(cell)


def print_table(
    table: Table, *, names: Sequence[int] = (0,), console: Console | None = None
) -> None:
    """Print a rich table that never cuts a name a user must type, nor a header.

    The columns in ``names`` (dataset, plugin, method names …) keep their longest cell on one
    line; the other columns wrap between words (a word longer than :data:`FOLD_WORD` may be
    folded), and nothing is replaced by an ellipsis. The widths are fixed here, since rich's
    own shrinking cuts names and headers such as ``spread (J kg⁻¹ K⁻¹)``: each column gets
    its minimum (the longest name, or the longest word of its header and cells), and the room
    left on the terminal goes to the columns in proportion to what they could use. When even
    the minimums do not fit, the table is printed wider than the terminal rather than cut.
    """
    console = console or out
    widths, needed = _widths(table, names, console.width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    if needed <= console.width:
        console.print(table)
        return
    saved = console.width
    console.width = needed  # wider than the terminal: it wraps the lines, nothing is lost
    try:
        console.print(table)
    finally:
        console.width = saved


def table_fits(
    table: Table, *, names: Sequence[int] = (0,), console: Console | None = None
) -> bool:
    """Whether :func:`print_table` prints ``table`` within the terminal's width."""
    console = console or out
    return _widths(table, names, console.width)[1] <= console.width


def _widths(table: Table, names: Sequence[int], room: int) -> tuple[list[int], int]:
    """Column widths for :func:`print_table`, and the width of the table they make."""
    columns = table.columns
    minimum, natural = [], []
    for i, column in enumerate(columns):
        header = _plain(column.header).split()
        lines = [line for c in column.cells for line in _plain(c).splitlines()]
        longest = max((cell_len(line) for line in lines), default=0)
        words = [cell_len(w) for line in lines for w in line.split()]
        least = longest if i in names else min(max(words, default=0), FOLD_WORD)
        least = max(least, *(cell_len(w) for w in header), 1)
        minimum.append(least)
        natural.append(max(longest, cell_len(_plain(column.header)), least))
        column.overflow = "fold"
        column.no_wrap = False
    # the rules between and around the columns, and the padding of each cell
    edges = table._extra_width + sum(table._get_padding_width(i) for i in range(len(columns)))
    widths = list(minimum)
    spare = room - edges - sum(widths)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    while spare > 0 and any(wants):  # the room left, in proportion to what is wanted
        total = sum(wants)
        for i, want in enumerate(wants):
            give = min(max(1, spare * want // total) if want else 0, want, spare)
            widths[i] += give
            wants[i] -= give
            spare -= give
    return widths, sum(widths) + edges


#: Words longer than this in a free-text column may be folded to fit the terminal.
FOLD_WORD = 12


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


def _unit_pairs(items: list[str] | None) -> dict[str, str]:
    """``--units NAME=UNIT`` pairs, every unit one pint knows (else a misused option)."""
    from reanalyze.errors import UnitError
    from reanalyze.units import parse_unit

    pairs = _pairs(items, "--units")
    for name, unit in pairs.items():
        try:
            parse_unit(unit)
        except UnitError as exc:
            raise OptionError(f"--units {name}={unit}: {exc}") from None
    return pairs


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
        options["units"] = _unit_pairs(units)
    if kinds:
        options["kinds"] = _pairs(kinds, "--kind")
    if rename:
        options["rename"] = _pairs(rename, "--rename")
    return options


def _table_file(
    path: Path, *, inputs: Sequence[str | Path] = (), overwrite: bool = False
) -> FileAction:
    """``--out``: a table file (.csv, .txt or .parquet) that may be written, checked before
    any work (:func:`reanalyze.outputs.table_file_action`)."""
    from reanalyze.outputs import table_file_action

    return table_file_action(path, inputs=inputs, overwrite=overwrite, option="--out")


def _write(table: Any, path: Path, action: FileAction = "create") -> None:
    """Write ``table`` to ``--out``: Parquet for ``.parquet``, else CSV (units in the header),
    atomically (:func:`reanalyze.outputs.write_table_file`)."""
    from reanalyze.outputs import write_table_file

    write_table_file(table, path, action)


def _grid_source(grid: list[str], loader: str | None, units: list[str] | None) -> Any:
    """A points table when ``--grid`` names a file, else the spec strings."""
    from reanalyze.load import load

    if len(grid) == 1 and (Path(grid[0]).is_file() or "=" not in grid[0]):
        if not Path(grid[0]).is_file():
            raise DataError(f"--grid {grid[0]!r}: no such file, and not AXIS=START:STOP:STEP")
        options = {"units": _unit_pairs(units)} if units else {}
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
