"""WebPlotDigitizer exports: curves digitized from the figures of papers.

`WebPlotDigitizer <https://automeris.io/WebPlotDigitizer>`_ (WPD) is how literature curves are
turned into numbers, e.g. M(T) at several fields from a figure. Each digitized curve is a WPD
*dataset* whose name is the curve's label in the figure (``1 T``, ``5000 Oe``, ``H = 2 T``,
``10 K``); this loader reads that label as the value of a second feature, so a figure with
one curve per field becomes a table ``T, H, M``.

Two formats are read:

* the CSV of *File → Export All Data* (WPD 4): row 1 holds the dataset names, each over two
  columns (``1 T,,0.5 T,``), row 2 holds ``X,Y,X,Y,...``, then the points; series of
  different lengths leave empty cells at the bottom;
* the JSON project of *File → Save Project* (``wpd.json`` inside the ``.tar``), in the WPD 4
  form ``{"version": [4, 2], "axesColl": [...], "datasetColl": [...]}`` and the older form
  ``{"wpd": {"version": [3, 8], "axesColl": [...], "dataSeriesColl": [...]}}``. Only the
  calibrated ``value`` of each point is used, never its pixel ``x``/``y``.

WPD files do not store the units or names of the axes: give them as ``x="T (K)"`` and
``y="M (emu/g)"`` (or ``x_name``/``x_unit``/``y_name``/``y_unit``); otherwise the columns are
``x`` and ``y``, dimensionless, and the table's notes say so.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from reanalyze.errors import DataError, OptionError, UnitError
from reanalyze.headers import parse_header
from reanalyze.loaders.base import Loader, build_table, read_text
from reanalyze.table import Sample, UnitTable
from reanalyze.units import check_kind, convert, infer_kind, parse_unit
from reanalyze.wording import option

__all__ = ["WebPlotDigitizerLoader", "parse_series_label"]

#: Options passed on to :func:`~reanalyze.loaders.base.build_table`.
_BUILD_OPTIONS = ("columns", "rename", "units", "kinds", "nonfinite", "duplicates", "sample")
#: Keyword arguments of :meth:`WebPlotDigitizerLoader.load`.
_KEYWORDS = ("x", "y", "series_unit", "series_name", "series_values")
#: Options of this loader besides the keyword arguments of :meth:`WebPlotDigitizerLoader.load`.
_OWN_OPTIONS = ("x_name", "x_unit", "y_name", "y_unit", "sort")

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_CELL = re.compile(rf"{_NUMBER}|[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")
_LABEL = re.compile(
    rf"^(?:(?P<name>[^=:]*?)\s*[=:]\s*)?(?P<number>{_NUMBER})\s*(?P<unit>.*?)$", re.DOTALL
)
_MINUS_SIGNS = str.maketrans({"−": "-", "–": "-"})  # unicode minus and en dash as minus

_SERIES_NAMES = {"magnetic_field": "H", "temperature": "T"}
_LABEL_EXAMPLES = "like '1 T', '5000 Oe', 'H = 2 T', '10 K'"


def parse_series_label(label: str) -> tuple[float, str | None] | None:
    """Read a WebPlotDigitizer dataset name as a quantity.

    Parameters
    ----------
    label
        The dataset name, e.g. ``"1 T"``, ``"0.5T"``, ``"H = 2 T"``, ``"μ0H=1T"``, ``"10 K"``.
        A name before ``=`` or ``:`` is allowed and ignored.

    Returns
    -------
    tuple or None
        ``(value, unit)`` with the unit as written; ``(value, None)`` for a bare number such as
        ``"1"`` or ``"x = 0.1"``; ``None`` when the label is not a number with a unit pint
        knows (``"Series 1"``, ``"ZFC"``).

    Examples
    --------
    >>> parse_series_label("H = 5000 Oe"), parse_series_label("μ0H=1T")
    ((5000.0, 'Oe'), (1.0, 'T'))
    >>> parse_series_label("0.5"), parse_series_label("Series 1")
    ((0.5, None), None)
    """
    match = _LABEL.match(label.strip().translate(_MINUS_SIGNS))
    if match is None:
        return None
    value = float(match.group("number"))
    unit = match.group("unit").strip()
    if not unit:
        return value, None
    try:
        parse_unit(unit)
    except UnitError:
        return None
    return value, unit


@dataclass
class _Series:
    """One digitized curve: its label and its calibrated points."""

    label: str
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)


@dataclass
class _Project:
    """What a WPD file holds: the usable curves, every dataset name, notes, format facts."""

    series: list[_Series]
    labels: list[str]
    notes: list[str]
    meta: dict[str, Any]


# ----------------------------------------------------------------------------- number cells
def _cell_number(text: str, decimal_comma: bool) -> float | None:
    """A CSV cell as a float; NaN when empty; ``None`` when it is not a number."""
    cell = text.strip().translate(_MINUS_SIGNS)
    if not cell:
        return math.nan
    if _NUMBER_CELL.fullmatch(cell):
        return float(cell)
    if decimal_comma and _DECIMAL_COMMA.fullmatch(cell):
        return float(cell.replace(",", "."))
    return None


def _json_number(value: Any) -> float | None:
    """A JSON value as a float (``null`` is NaN); ``None`` when it is not a number."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _cell_number(value, decimal_comma=False)
    return None


# ---------------------------------------------------------------------------------- CSV
def _trimmed(cells: Sequence[str]) -> list[str]:
    """Cells without surrounding blanks and without empty cells at the end."""
    out = [c.strip() for c in cells]
    while out and not out[-1]:
        out.pop()
    return out


def _is_xy_row(cells: Sequence[str], *, partial: bool = False) -> bool:
    """Whether cells are ``X,Y,X,Y,...``; ``partial`` allows a cut-off last pair."""
    if not cells or (len(cells) % 2 and not partial):
        return False
    expected = itertools.cycle(("X", "Y"))
    return all(cell.upper() == want for cell, want in zip(cells, expected, strict=False))


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xy_delimiter(text: str) -> str | None:
    """The delimiter (``,``, ``;`` or tab) that makes row 2 ``X,Y`` pairs, if any."""
    for delimiter in (",", ";", "\t"):
        head = list(
            itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 2)
        )
        if len(head) == 2 and _is_xy_row(_trimmed(head[1])):
            return delimiter
    return None


def _read_csv(path: Path, text: str) -> _Project:
    delimiter = _xy_delimiter(text)
    if delimiter is None:
        lines = text.splitlines()
        second = lines[1].strip() if len(lines) > 1 else ""
        raise DataError(
            f"{path}: not a WebPlotDigitizer 'Export All Data' CSV: row 2 must hold X,Y pairs "
            f"(found {second[:60]!r})"
        )
    rows = _csv_rows(text, delimiter)
    n_pairs = len(_trimmed(rows[1])) // 2
    names = [c.strip() for c in rows[0]]
    labels = [names[2 * k] if 2 * k < len(names) else "" for k in range(n_pairs)]
    series = [_Series(label) for label in labels]
    for number, row in enumerate(rows[2:], start=3):
        cells = _trimmed(row)
        if not cells:
            continue
        if len(cells) > 2 * n_pairs:
            raise DataError(
                f"{path}: row {number} has {len(cells)} values but row 2 names only "
                f"{n_pairs} X,Y pair(s)"
            )
        cells += [""] * (2 * n_pairs - len(cells))
        for k, item in enumerate(series):
            x_text, y_text = cells[2 * k], cells[2 * k + 1]
            if not x_text and not y_text:  # the ragged bottom of a shorter series
                continue
            values = []
            for text_cell, axis in ((x_text, "X"), (y_text, "Y")):
                value = _cell_number(text_cell, decimal_comma=delimiter != ",")
                if value is None:
                    raise DataError(
                        f"{path}: row {number}, series {item.label!r} ({axis}): cannot read "
                        f"number {text_cell!r}"
                    )
                values.append(value)
            item.x.append(values[0])
            item.y.append(values[1])
    notes = [f"series {s.label!r} has no points: skipped" for s in series if not s.x]
    return _Project(
        series=[s for s in series if s.x],
        labels=labels,
        notes=notes,
        meta={"format": "webplotdigitizer-csv"},
    )


# --------------------------------------------------------------------------------- JSON
def _read_json(path: Path, text: str) -> _Project:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{path}: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    not_wpd = f"{path}: not a WebPlotDigitizer project"
    if not isinstance(document, dict):
        raise DataError(f"{not_wpd} (JSON {type(document).__name__}, not an object)")
    project = document["wpd"] if isinstance(document.get("wpd"), dict) else document
    datasets = project.get("datasetColl", project.get("dataSeriesColl"))
    if not isinstance(datasets, list):
        raise DataError(f"{not_wpd} (no 'datasetColl' or 'dataSeriesColl' list)")
    axes_list = project.get("axesColl") or []
    if not isinstance(axes_list, list):
        raise DataError(f"{not_wpd} ('axesColl' is not a list)")
    axes = {str(a.get("name")): a for a in axes_list if isinstance(a, dict) and "name" in a}
    version = project.get("version")
    meta: dict[str, Any] = {"format": "webplotdigitizer-json"}
    if isinstance(version, list) and version:
        meta["wpd_version"] = ".".join(str(v) for v in version)

    series: list[_Series] = []
    labels: list[str] = []
    notes: list[str] = []
    for index, dataset in enumerate(datasets, start=1):
        if not isinstance(dataset, dict):
            raise DataError(f"{not_wpd} (dataset {index} is not an object)")
        label = str(dataset.get("name", f"dataset {index}")).strip()
        labels.append(label)
        points = dataset.get("data") or []
        if not isinstance(points, list):
            raise DataError(f"{path}: dataset {label!r}: 'data' is not a list of points")
        axes_name = dataset.get("axesName")
        axis = axes.get(str(axes_name)) if axes_name is not None else None
        if axis is None and axes_name is None and len(axes) == 1:
            axis = next(iter(axes.values()))
        axis_type = axis.get("type", "XYAxes") if axis is not None else "XYAxes"
        if axis is not None and axis_type != "XYAxes":
            notes.append(
                f"dataset {label!r} is on {axis_type} axes {axis.get('name')!r}, not XY: skipped"
            )
            continue
        if not points:
            notes.append(f"dataset {label!r} has no points: skipped")
            continue
        item = _Series(label)
        for number, point in enumerate(points, start=1):
            where = f"{path}: dataset {label!r}, point {number}"
            if not isinstance(point, dict):
                raise DataError(f"{where} is not an object")
            value = point.get("value")
            if value is None:
                raise DataError(
                    f"{where} has no calibrated 'value', only pixels (a project saved by an "
                    "old WebPlotDigitizer): open and save it again in WebPlotDigitizer 4, or "
                    "use File > Export All Data (CSV)"
                )
            if not isinstance(value, list) or len(value) < 2:
                raise DataError(f"{where}: 'value' is {value!r}, not a list [x, y]")
            x, y = _json_number(value[0]), _json_number(value[1])
            if x is None or y is None:
                raise DataError(f"{where}: cannot read number in 'value' {value!r}")
            item.x.append(x)
            item.y.append(y)
        series.append(item)
    return _Project(series=series, labels=labels, notes=notes, meta=meta)


# ------------------------------------------------------------------------------ options
def _axis(
    which: str, spec: str | None, name: str | None, unit: str | None, source: str
) -> tuple[str, str | None]:
    """Name and unit of the x or y column from ``x="T (K)"`` and/or ``x_name``/``x_unit``."""
    col_name, col_unit = which, None
    if spec is not None:
        head = parse_header(spec)
        if head.unit is not None and not head.unit_known:
            raise UnitError(f"{source}: unknown unit {head.unit!r} in {which}={spec!r}")
        col_name, col_unit = head.name, head.unit
    if name is not None:
        col_name = name.strip()
    if unit is not None:
        try:
            parse_unit(unit)
        except UnitError:
            raise UnitError(f"{source}: unknown unit {unit!r} in {which}_unit") from None
        col_unit = unit
    if not col_name:
        raise DataError(f"{source}: empty column name for {which}")
    return col_name, col_unit


def _label_quantity(
    label: str, override: str | float | None, series_unit: str | None, source: str
) -> tuple[float, str]:
    """The value and unit of one series, from its label or from ``series_values``."""
    text = label if override is None else str(override)
    parsed = parse_series_label(text)
    if parsed is not None and parsed[1] is None and series_unit is not None:
        return parsed[0], series_unit
    if parsed is not None and parsed[1] is not None:
        return parsed[0], parsed[1]
    if override is not None:
        raise DataError(
            f"{source}: series_values[{label!r}] = {override!r} is not a quantity with a unit "
            f"({_LABEL_EXAMPLES})"
        )
    if parsed is not None:
        raise DataError(
            f"{source}: series label {label!r} is a number without a unit; give "
            f"{option('series_unit', value='T')} or {option('series_values', label, '1 T')}"
        )
    raise DataError(
        f"{source}: series label {label!r} is not a quantity with a unit "
        f"({_LABEL_EXAMPLES}); give {option('series_values', label, '1 T')}"
    )


def _kind_text(kind: str) -> str:
    return kind.replace("_", " ")


class WebPlotDigitizerLoader(Loader):
    """WebPlotDigitizer exports: the "Export All Data" CSV and the JSON project file.

    Each dataset (digitized curve) becomes rows ``x, series, y`` where ``series`` is the
    value of the dataset's label (``1 T`` → 1 T). All labels must be the same kind of quantity
    (fields, or temperatures, ...); they are converted to one unit.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "fig2.csv"
    >>> _ = path.write_text("1 T,,5000 Oe,\\nX,Y,X,Y\\n10,2.5,10,1.3\\n20,1.2,,\\n")
    >>> table = WebPlotDigitizerLoader().load(path, x="T (K)", y="M (emu/g)")
    >>> table.columns, table.unit("H")
    (['T', 'H', 'M'], 'T')
    >>> table.values("H")
    array([0.5, 1. , 1. ])
    >>> table.values("M")
    array([1.3, 2.5, 1.2])
    """

    name: ClassVar[str] = "webplotdigitizer"
    description: ClassVar[str] = (
        "WebPlotDigitizer exports (export-all CSV, JSON project) of curves digitized from figures"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".json")

    def sniff(self, path: Path, head: str) -> bool:
        """Whether ``head`` (the first 4 KiB) looks like a WPD JSON project or export-all CSV.

        JSON: an object with ``datasetColl``/``dataSeriesColl`` or a top-level ``wpd`` key.
        CSV: a second line made only of ``X,Y`` pairs.
        """
        text = head.lstrip("\ufeff \t\r\n")
        if text.startswith("{"):
            return bool(
                re.search(r'"(?:datasetColl|dataSeriesColl)"\s*:', text)
                or re.match(r'\{\s*"wpd"\s*:', text)
            )
        lines = text.splitlines()
        if len(lines) < 2:
            return False
        complete = len(lines) > 2 or text.endswith(("\n", "\r"))
        for delimiter in (",", ";", "\t"):
            cells = _trimmed(next(csv.reader([lines[1]], delimiter=delimiter), []))
            if not complete:  # the head may end inside row 2
                cells = cells[:-1]
            if _is_xy_row(cells, partial=not complete):
                return True
        return False

    def load(
        self,
        path: Path,
        *,
        x: str | None = None,
        y: str | None = None,
        series_unit: str | None = None,
        series_name: str | None = None,
        series_values: Mapping[str, str | float] | None = None,
        **options: Any,
    ) -> UnitTable:
        """Read a WPD export-all CSV or JSON project into a table ``x, series, y``.

        Parameters
        ----------
        path
            A ``.csv`` from *Export All Data* or a ``.json`` project (``wpd.json``).
        x, y
            Name and unit of the axes in header syntax, e.g. ``x="T (K)"``,
            ``y="M (emu/g)"``. WPD files do not store them; default ``x`` and ``y``,
            dimensionless (with a note).
        series_unit
            Unit of the series column, e.g. ``"T"``; the labels' values are converted to it.
            Default: the unit of the first label. Labels that are bare numbers (``"1"``) are
            read in this unit.
        series_name
            Name of the series column. Default from its kind: ``H`` for a magnetic field, ``T``
            for a temperature, else ``series``.
        series_values
            ``{label: "1 T"}`` for labels that are not quantities (``"Series 1"``, ``"FC"``),
            or to correct one.
        **options
            ``x_name``, ``x_unit``, ``y_name``, ``y_unit`` (override parts of ``x``/``y``);
            ``sort`` (default True: rows sorted by series, then x; False keeps the digitized
            order, e.g. for hysteresis loops); and ``columns``, ``rename``, ``units``,
            ``kinds``, ``nonfinite``, ``duplicates``, ``sample`` as in
            :class:`~reanalyze.loaders.base.LoadOptions`.

        Returns
        -------
        UnitTable
            Columns x, series, y; ``metadata["series"]`` maps each label to its value, unit and
            number of points; ``metadata["digitized"]`` is True.

        Raises
        ------
        DataError
            Not a WPD file, invalid JSON, unreadable numbers, points without calibrated
            values, labels that are not quantities or are of different kinds, no points.
        UnitError
            Unknown units, or a ``series_unit`` of the wrong dimension for the labels.
        """
        path = Path(path)
        source = str(path)
        unknown = sorted(set(options) - set(_BUILD_OPTIONS) - set(_OWN_OPTIONS))
        if unknown:
            known = ", ".join((*_KEYWORDS, *_OWN_OPTIONS, *_BUILD_OPTIONS))
            raise OptionError(
                f"{source}: unknown option(s) {', '.join(unknown)} for the webplotdigitizer "
                f"loader (known: {known})"
            )

        if series_unit is not None:
            try:
                parse_unit(series_unit)
            except UnitError:
                raise UnitError(f"{source}: unknown unit {series_unit!r} in series_unit") from None

        text = read_text(path)
        if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")) or path.suffix.lower() == ".json":
            project = _read_json(path, text)
        else:
            project = _read_csv(path, text)
        notes = list(project.notes)
        if not project.series:
            raise DataError(f"{source}: no digitized points in any XY dataset")

        overrides = dict(series_values or {})
        missing = [label for label in overrides if label not in project.labels]
        if missing:
            raise DataError(
                f"{source}: series_values names unknown series {missing} "
                f"(series in the file: {project.labels})"
            )

        # The value of every series, all in one unit of one kind.
        quantities = [
            _label_quantity(s.label, overrides.get(s.label), series_unit, source)
            for s in project.series
        ]
        first_label = project.series[0].label
        first_value, first_unit = quantities[0]
        kind = infer_kind(first_unit)
        for item, (_, unit) in zip(project.series, quantities, strict=True):
            other = infer_kind(unit)
            if other != kind:
                raise DataError(
                    f"{source}: series labels mix quantities: {first_label!r} is "
                    f"{_kind_text(kind)}, {item.label!r} is {_kind_text(other)}; "
                    "one file must hold curves at different values of one quantity"
                )
        column_unit = first_unit
        if series_unit is not None:
            check_kind(series_unit, kind, where=f"{source}: series_unit")
            try:
                convert(first_value, first_unit, series_unit)
            except UnitError:
                raise UnitError(
                    f"{source}: series_unit {series_unit!r} cannot hold {first_label!r} "
                    f"({first_unit})"
                ) from None
            column_unit = series_unit
        values: list[float] = []
        for item, (value, unit) in zip(project.series, quantities, strict=True):
            try:
                values.append(float(convert(value, unit, column_unit)))
            except UnitError:
                raise DataError(
                    f"{source}: series labels mix quantities: {first_label!r} ({first_unit}) "
                    f"and {item.label!r} ({unit}) do not convert into each other"
                ) from None

        # Column names and units.
        x_name, x_unit = _axis("x", x, options.get("x_name"), options.get("x_unit"), source)
        y_name, y_unit = _axis("y", y, options.get("y_name"), options.get("y_unit"), source)
        s_name = (series_name or _SERIES_NAMES.get(kind, "series")).strip()
        if len({x_name, s_name, y_name}) < 3:
            raise DataError(
                f"{source}: column names collide (x {x_name!r}, series {s_name!r}, "
                f"y {y_name!r}); choose another series_name= or x/y name"
            )
        user_units = dict(options.get("units") or {})
        units = {
            x_name: x_unit or "dimensionless",
            s_name: column_unit,
            y_name: y_unit or "dimensionless",
            **user_units,
        }
        unitless = [
            name
            for name, unit in ((x_name, x_unit), (y_name, y_unit))
            if unit is None and name not in user_units
        ]
        if unitless:
            notes.append(
                "WebPlotDigitizer files do not store axis units: "
                f"{' and '.join(repr(n) for n in unitless)} used as dimensionless; "
                f"give them as {option('x', value='T (K)')} and {option('y', value='M (emu/g)')}"
            )

        # Rows: one block per series, then sorted by series value and x.
        counts = [len(item.x) for item in project.series]
        xs = np.concatenate([np.asarray(item.x, dtype=np.float64) for item in project.series])
        ys = np.concatenate([np.asarray(item.y, dtype=np.float64) for item in project.series])
        ss = np.repeat(np.asarray(values, dtype=np.float64), counts)
        if options.get("sort", True):
            order = np.lexsort((xs, ss))
            xs, ss, ys = xs[order], ss[order], ys[order]
        frame = pd.DataFrame({x_name: xs, s_name: ss, y_name: ys})

        series_meta: dict[str, dict[str, Any]] = {}
        seen: dict[float, str] = {}
        for item, value, count in zip(project.series, values, counts, strict=True):
            entry = series_meta.setdefault(
                item.label, {"value": value, "unit": column_unit, "points": 0}
            )
            entry["points"] += count
            if value in seen and seen[value] != item.label:
                notes.append(
                    f"series {seen[value]!r} and {item.label!r} are both {value:g} "
                    f"{column_unit}: their points are merged"
                )
            seen.setdefault(value, item.label)
        notes.insert(
            0,
            f"{len(project.series)} digitized series read as {s_name} ({column_unit}) "
            "from their labels",
        )
        metadata = {**project.meta, "digitized": True, "series": series_meta}

        sample = options.get("sample")
        if sample is not None and not isinstance(sample, Sample):
            sample = Sample(**dict(sample))
        return build_table(
            frame,
            source=source,
            columns=options.get("columns"),
            rename=options.get("rename"),
            units=units,
            kinds=options.get("kinds"),
            nonfinite=options.get("nonfinite", "drop"),
            duplicates=options.get("duplicates", "drop"),
            sample=sample,
            metadata=metadata,
            notes=notes,
        )
