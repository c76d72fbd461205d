"""One entry point for getting data in: files, lists and globs of files, registry datasets.

:func:`load` picks the loader (by name, or by sniffing the file), reads one file or many, and
returns one :class:`~reanalyze.table.UnitTable`. A scan spread over several files — one M(T)
curve per field, one R(T) per field — is loaded with :func:`load_files`, which takes the
slow-axis value of each file from its data (rounded to the set point, and reported) or from
values given per file, and keeps the file of origin as a ``source_file`` column. Without
either, a column that is one value per file (:func:`per_file_setpoint`: a field readback that
wanders by a fraction of an oersted within each M(T) file) is found and taken as the slow
axis, with a note.

Examples
--------
>>> table = load("synthetic_magnet")  # a registry dataset  # doctest: +SKIP
>>> table = load("data/MT_*.dat")  # the field: one set point per file  # doctest: +SKIP
>>> table = load("data/MT_*.dat", slow_axis="Magnetic Field")  # doctest: +SKIP
"""

from __future__ import annotations

import glob
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze import wording
from reanalyze._io import read_bytes
from reanalyze.errors import ColumnError, DataError, OptionError, ReanalyzeError
from reanalyze.headers import parse_header
from reanalyze.plugins import list_plugins, load_all, load_plugin
from reanalyze.registry import RemoteSource, load_registry
from reanalyze.table import UnitTable, concat
from reanalyze.units import convert, infer_kind, parse_quantity, parse_unit

__all__ = [
    "COMMON_OPTIONS",
    "choose_loader",
    "load",
    "load_dataset",
    "load_file",
    "load_files",
    "loader_options",
    "per_file_setpoint",
    "setpoint_step",
]

#: The options every loader takes (a front end has a control of its own for each); a
#: loader's own options are the others (:func:`loader_options`).
COMMON_OPTIONS = ("columns", "units", "kinds", "rename", "nonfinite", "duplicates",
                  "slow_axis", "slow_values")  # fmt: skip

SOURCE_COLUMN = "source_file"
_GLOB_CHARS = set("*?[")
#: A column is one value per file when its range within every file is at most this share of
#: the smallest difference between the medians of two files (:func:`per_file_setpoint`).
SETPOINT_SHARE = 0.1


def loader_options(entries: Sequence[str]) -> dict[str, Any]:
    """A loader's own options from ``KEY=VALUE`` texts, values as text (the loader parses them).

    ``KEY.ENTRY=VALUE`` is an entry of a mapping option. This is how a front end without
    Python (the command line, the GUI) passes ``moment_column``, ``series_unit``,
    ``series_values``, ``x``, ``y`` or ``delimiter`` to :func:`load`.

    Raises
    ------
    OptionError
        An entry without ``=``, a key given twice, or ``loader`` or an option every loader
        takes (:data:`COMMON_OPTIONS`), which have controls of their own.

    Examples
    --------
    >>> loader_options(["series_unit=T", "series_values.1=1 T", "series_values.2=2 T"])
    {'series_unit': 'T', 'series_values': {'1': '1 T', '2': '2 T'}}
    """
    options: dict[str, Any] = {}
    for text in entries:
        key, sep, value = text.partition("=")  # the value as given: a delimiter may be a space
        name, dot, entry = key.strip().partition(".")
        if not sep or not name or not value or (dot and not entry) or " " in name:
            raise OptionError(f"loader option {text!r}: expected KEY=VALUE or KEY.ENTRY=VALUE")
        if name == "loader" or name in COMMON_OPTIONS:
            raise OptionError(
                f"loader option {name}: not a loader's own option; give it with "
                f"{wording.option(name)}"
            )
        held = options.setdefault(name, {}) if dot else options
        if not isinstance(held, dict) or (entry or name) in held:
            raise OptionError(f"loader option {key.strip()} given twice")
        held[entry or name] = value
    return options


def choose_loader(path: Path, name: str | None = None) -> Any:
    """The loader instance for ``path``: ``name`` if given, else the first that sniffs it.

    Built-in loaders are tried in registry order (Quantum Design, WebPlotDigitizer, delimited
    text), then entry-point loaders; a broken plugin warns and is skipped.
    """
    if name is not None:
        return load_plugin("reanalyze.loaders", name)()
    head = read_bytes(path, 4096).decode("utf-8", errors="replace")
    candidates = load_all("reanalyze.loaders")
    for cls in candidates.values():
        try:
            loader = cls()
            if loader.sniff(path, head):
                return loader
        except Exception as exc:  # a third-party sniff must not break loading
            warnings.warn(f"loader {cls!r} failed to sniff {path}: {exc}", stacklevel=2)
    known = ", ".join(list_plugins("reanalyze.loaders"))
    raise DataError(f"{path}: no loader recognizes this file; name one ({known})")


def load_file(path: str | Path, *, loader: str | None = None, **options: Any) -> UnitTable:
    """Read one file with the named loader or the one that recognizes it."""
    file = Path(path)
    if not _exists(file):
        raise DataError(f"{file}: no such file")
    instance = choose_loader(file, loader)
    table: UnitTable = instance.load(file, **options)
    return table.with_metadata(loader=instance.name)


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name the system cannot even look up is a DataError."""
    try:
        return path.exists()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(f"{str(path)[:200]}: cannot be opened ({reason})") from None


def _expand(sources: Sequence[str | Path]) -> list[Path]:
    paths: list[Path] = []
    for source in sources:
        text = str(source)
        if _GLOB_CHARS & set(text) and not _exists(Path(text)):
            matches = sorted(glob.glob(text))
            if not matches:
                raise DataError(f"{text}: no file matches this pattern")
            paths.extend(Path(m) for m in matches)
        else:
            paths.append(Path(text))
    return paths


def setpoint_step(scatter: float) -> float:
    """The coarsest 1-2-5 step that is still fine compared with a readback scatter.

    Set points are rounded to a multiple of a 1-2-5 number at least 4× the largest
    within-file standard deviation of the readback, e.g. a scatter of 0.3 Oe gives 2 Oe.
    """
    if scatter <= 0:
        return 0.0
    target = 4.0 * scatter
    exponent = math.floor(math.log10(target))
    for mantissa in (1.0, 2.0, 5.0, 10.0):
        step = mantissa * 10.0**exponent
        if step >= target:
            return step
    return 10.0 ** (exponent + 1)  # pragma: no cover


def per_file_setpoint(groups: Sequence[npt.ArrayLike]) -> tuple[float, float] | None:
    """Whether a column is one value per file: its within-file range and between-file gap.

    The criterion: in every file the column's range (max − min) is at most
    :data:`SETPOINT_SHARE` (a tenth) of the smallest difference between the medians of two
    files. A magnet's readback (±0.5 Oe at set points 100 Oe or more apart) passes; a
    temperature swept within each file, or two files at the same set point, do not. Rounding
    each file's median to :func:`setpoint_step` then moves every row by less than 35 % of the
    smallest spacing between files, and no two files onto one value.

    Parameters
    ----------
    groups
        The column's values in each file (two files or more).

    Returns
    -------
    tuple[float, float] | None
        ``(largest range within a file, smallest gap between file medians)`` when the
        criterion holds, else ``None``.

    Examples
    --------
    >>> per_file_setpoint([[99.5, 100.5, 100.0], [999.75, 1000.25], [5000.0, 5000.5]])
    (1.0, 900.0)
    >>> per_file_setpoint([[10.0, 35.0, 60.0], [10.0, 35.0, 60.0]]) is None  # swept
    True
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in groups]
    if len(arrays) < 2 or any(a.size == 0 or not np.isfinite(a).all() for a in arrays):
        return None
    gap = float(np.diff(np.sort([np.median(a) for a in arrays])).min())
    spread = max(float(np.ptp(a)) for a in arrays)
    if gap > 0 and spread <= SETPOINT_SHARE * gap:
        return spread, gap
    return None


def _setpoint_column(tables: Sequence[UnitTable]) -> tuple[str, float] | None:
    """The one column that is one value per file and varies within some file, and its
    largest within-file range; ``None`` when no column, or more than one, is one value per
    file (a column constant within every file counts, and needs nothing done)."""
    first = tables[0]
    found: list[tuple[str, float]] = []
    for name in first.columns:
        if any(name not in t.columns or t.kind(name) == "label" for t in tables):
            continue
        try:
            groups = [t.values(name, first.unit(name)) for t in tables]
        except ReanalyzeError:  # units that do not convert: not one quantity
            continue
        verdict = per_file_setpoint(groups)
        if verdict is not None:
            found.append((name, verdict[0]))
    if len(found) != 1 or found[0][1] == 0:
        return None
    return found[0]


def _parse_value(value: float | str, unit: str | None, where: str) -> tuple[float, str | None]:
    """A slow-axis value: a number (in ``unit``) or a quantity like ``"1 T"``."""
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise DataError(f"{where}: {value!r} is not a finite number")
        return float(value), unit
    number, text_unit = parse_quantity(str(value).replace("µ0H", "").strip(), where=where)
    if text_unit and parse_unit(text_unit).dimensionless:
        text_unit = ""
    if text_unit and unit is not None:
        return float(convert(number, text_unit, unit)), unit
    return number, unit or text_unit or None


def _renamed(name: str, rename: Mapping[str, str] | None) -> str | None:
    """The new name of column ``name`` (by header or name) under ``rename``, if it is renamed.

    >>> _renamed("Magnetic Field", {"Magnetic Field (Oe)": "H"}), _renamed("T", {"M": "m"})
    ('H', None)
    """
    bare = parse_header(name).name
    for old, new in (rename or {}).items():
        if name == old or bare in (old, parse_header(old).name):
            return str(new)
    return None


def _resolve_column(
    table: UnitTable, name: str, where: str, rename: Mapping[str, str] | None = None
) -> str:
    """Column ``name`` of ``table``: by name, by header, or by the name it had before
    ``rename`` (``"Magnetic Field"`` renamed to ``H``)."""
    if name in table.columns:
        return name
    bare = parse_header(name).name
    if bare in table.columns:
        return bare
    new = _renamed(name, rename)
    if new is not None and new in table.columns:
        return new
    raise ColumnError(f"{where}: no column {name!r} (columns: {', '.join(table.columns)})")


def load_files(
    sources: Sequence[str | Path],
    *,
    loader: str | None = None,
    slow_axis: str | None = None,
    slow_values: Sequence[float | str] | None = None,
    slow_unit: str | None = None,
    slow_kind: str | None = None,
    setpoint_resolution: float | None = None,
    **options: Any,
) -> UnitTable:
    """Load several files (one scan line each) into one table.

    Parameters
    ----------
    sources
        Paths or glob patterns; files are taken in the given order (patterns sorted).
    loader
        Loader name; default: recognized per file.
    slow_axis
        Column that is constant within each file (e.g. ``"Magnetic Field"``, or its new name
        ``"H"`` when ``rename`` renames it). When the files
        hold it, each file's readback is replaced by its set point: the median rounded to
        ``setpoint_resolution`` (in the column's unit), by default a 1-2-5 step at least 4×
        the largest within-file scatter (see :func:`setpoint_step`). What was done is
        reported in ``metadata["slow_axis"]`` and the notes. Default: the one column that
        is one value per file by :func:`per_file_setpoint` and varies within some file, if
        there is exactly one such column (a note says so, and ``metadata["slow_axis"]``
        has ``"detected": True``); otherwise every value is kept as read.
    slow_values
        One value per file instead (numbers in ``slow_unit``, or strings like ``"1 T"``);
        adds or overrides the ``slow_axis`` column (default name ``"H"`` for fields).
    slow_unit, slow_kind
        Unit and kind of ``slow_values`` when they are plain numbers.
    **options
        Passed to the loader (columns, units, rename, ...).

    Returns
    -------
    UnitTable
        All rows, with a ``source_file`` label column naming each row's file.
    """
    paths = _expand(sources)
    if not paths:
        raise DataError("no files given")
    if slow_values is not None and len(slow_values) != len(paths):
        raise DataError(f"{len(slow_values)} slow-axis values given for {len(paths)} files")
    tables = [load_file(p, loader=loader, **options) for p in paths]
    notes: list[str] = []
    report: dict[str, Any] | None = None
    if slow_values is not None:
        tables, report = _apply_given(
            tables, paths, slow_axis, slow_values, slow_unit, slow_kind, options.get("rename")
        )
    elif slow_axis is not None:
        tables, report = _apply_setpoints(
            tables, paths, slow_axis, setpoint_resolution, options.get("rename")
        )
    elif len(tables) > 1 and (detected := _setpoint_column(tables)) is not None:
        tables, report = _apply_setpoints(tables, paths, detected[0], setpoint_resolution)
        report = _detected(report, detected[1])
    if report is not None:
        notes.append(report["summary"])
    labelled = [
        t.with_column(SOURCE_COLUMN, [p.name] * len(t), "label", "")
        for t, p in zip(tables, paths, strict=True)
    ]
    combined = concat(labelled, source=f"{len(paths)} files")
    all_notes = [
        f"{p.name}: {n}"
        for t, p in zip(tables, paths, strict=True)
        for n in t.metadata.get("notes", [])
    ]
    meta: dict[str, Any] = {
        **combined.metadata,
        "source": [str(p) for p in paths],
        "notes": all_notes + notes,
    }
    if report is not None:
        meta["slow_axis"] = report
    return combined.with_metadata(**meta)


def _apply_given(
    tables: list[UnitTable],
    paths: list[Path],
    slow_axis: str | None,
    values: Sequence[float | str],
    unit: str | None,
    kind: str | None,
    rename: Mapping[str, str] | None,
) -> tuple[list[UnitTable], dict[str, Any]]:
    parsed = [
        _parse_value(v, unit, f"value for {p.name}") for v, p in zip(values, paths, strict=True)
    ]
    units = {u for _, u in parsed}
    if None in units or len(units) != 1:
        # mixed units: convert to the first one
        first = parsed[0][1]
        if first is None:
            raise DataError("slow-axis values need a unit: give slow_unit or values like '1 T'")
        parsed = [(float(convert(v, u or first, first)), first) for v, u in parsed]
    column_unit = parsed[0][1]
    assert column_unit is not None
    column_kind = kind or infer_kind(column_unit)
    if slow_axis is not None:  # the name it had before a rename names the renamed column
        slow_axis = _renamed(slow_axis, rename) or slow_axis
    name = slow_axis or {"magnetic_field": "H", "temperature": "T"}.get(column_kind, "slow_axis")
    parse_unit(column_unit)
    out = [
        t.with_column(name, v, column_kind, column_unit)
        for t, (v, _) in zip(tables, parsed, strict=True)
    ]
    summary = f"{name} given per file: " + ", ".join(
        f"{p.name}={v:g} {column_unit}" for p, (v, _) in zip(paths, parsed, strict=True)
    )
    return out, {
        "column": name,
        "unit": column_unit,
        "from": "given",
        "files": [
            {"file": p.name, "set_point": v} for p, (v, _) in zip(paths, parsed, strict=True)
        ],
        "summary": summary,
    }


def _apply_setpoints(
    tables: list[UnitTable],
    paths: list[Path],
    slow_axis: str,
    resolution: float | None,
    rename: Mapping[str, str] | None = None,
) -> tuple[list[UnitTable], dict[str, Any]]:
    names = [
        _resolve_column(t, slow_axis, p.name, rename) for t, p in zip(tables, paths, strict=True)
    ]
    name = names[0]
    unit = tables[0].unit(name)
    readbacks: list[npt.NDArray[np.float64]] = [
        t.values(n, unit) for t, n in zip(tables, names, strict=True)
    ]
    medians = np.array([float(np.median(r)) for r in readbacks])
    scatter = np.array([float(np.std(r)) for r in readbacks])
    step = setpoint_step(float(scatter.max())) if resolution is None else float(resolution)
    points = np.round(medians / step) * step if step > 0 else medians.copy()
    spread = np.array([float(np.ptp(r)) for r in readbacks])
    median_gaps = np.diff(np.sort(medians))
    nonzero = median_gaps[median_gaps > 0]
    limit = 0.5 * float(nonzero.min()) if nonzero.size else 0.0
    # A sweep changes smoothly from row to row; readback noise does not.
    smooth = [r.size > 2 and float(np.std(np.diff(r))) < 0.5 * float(np.std(r)) for r in readbacks]
    sweeping = [s > limit and sm for s, sm in zip(spread, smooth, strict=True)]
    if any(sweeping):
        worst = int(np.argmax(np.where(sweeping, spread, -1.0)))
        raise DataError(
            f"{paths[worst].name}: {name} varies by {spread[worst]:g} {unit} within the file, "
            "it is swept, not a slow axis"
        )
    order = np.argsort(points)
    gaps = np.diff(points[order])
    if len(points) > 1 and np.any(gaps == 0):
        i = int(np.flatnonzero(gaps == 0)[0])
        a, b = paths[order[i]].name, paths[order[i + 1]].name
        raise DataError(
            f"{a} and {b} give the same {name} set point {points[order[i]]:g} {unit}; "
            "give the values per file instead"
        )
    out = []
    for table, column, point in zip(tables, names, points, strict=True):
        renamed = table.rename({column: name}) if column != name else table
        out.append(renamed.with_column(name, float(point), renamed.kind(name), unit))
    rows = [
        {"file": p.name, "median": float(m), "std": float(s), "set_point": float(v)}
        for p, m, s, v in zip(paths, medians, scatter, points, strict=True)
    ]
    rounding = f"rounded to multiples of {step:g} {unit}" if step > 0 else "exact readback"
    summary = f"{name} set points from the data ({rounding}): " + ", ".join(
        f"{r['file']}={r['set_point']:g}" for r in rows
    )
    return out, {
        "column": name,
        "unit": unit,
        "from": "data",
        "resolution": step,
        "files": rows,
        "summary": summary,
    }


def _detected(report: dict[str, Any], spread: float) -> dict[str, Any]:
    """The report of set points found without ``slow_axis``, with its one note."""
    name, unit, step = report["column"], report["unit"], report["resolution"]
    points = [r["set_point"] for r in report["files"]]
    gap = float(np.diff(np.sort(points)).min())
    rounded = f" rounded to a multiple of {step:g} {unit}" if step > 0 else ""
    summary = (
        f"{name} taken as one value per file, its median{rounded} (it varies by up to "
        f"{spread:.2g} {unit} within a file, by {gap:g} {unit} or more between files): "
        + ", ".join(f"{r['file']}={r['set_point']:g}" for r in report["files"])
    )
    return {**report, "detected": True, "summary": summary}


def load_dataset(name: str, *, refresh: bool = False) -> UnitTable:
    """Load a registry dataset by name: fetched and checked, or generated.

    Remote files come from the cache (see :mod:`reanalyze.download_cache`); columns are renamed
    and given the kinds and units the registry states; the sample and citation go into the
    table.
    """
    entry = load_registry().dataset(name)
    source = entry.source
    if isinstance(source, RemoteSource):
        from reanalyze.download_cache import fetch

        path = fetch(source.url, source.sha256, source.filename, refresh=refresh)
        assert entry.loader is not None
        options: dict[str, Any] = {
            "columns": list(entry.columns),
            "units": {k: c.unit for k, c in entry.columns.items()},
            "kinds": {k: c.kind for k, c in entry.columns.items()},
            "rename": {k: c.name for k, c in entry.columns.items()},
            **entry.loader_options,
        }
        table = load_file(path, loader=entry.loader, **options)
        extra: dict[str, Any] = {"sha256": source.sha256, "url": source.url}
    else:
        from reanalyze.synthetic import GENERATORS

        if source.generator not in GENERATORS:
            raise DataError(f"dataset {name!r}: unknown generator {source.generator!r}")
        table = GENERATORS[source.generator]().scan(seed=source.seed)
        extra = {"generator": source.generator, "seed": source.seed}
    meta = {
        **table.metadata,
        **extra,
        "dataset": name,
        "title": entry.title,
        "citation": entry.citation,
        "features": entry.features,
        "targets": entry.targets,
    }
    table = table.with_metadata(**meta)
    if entry.sample is not None:
        table = table.with_sample(entry.sample)
    return table


def load(
    source: str | Path | Sequence[str | Path],
    *,
    loader: str | None = None,
    **options: Any,
) -> UnitTable:
    """Load a registry dataset, a file, a glob pattern or a list of files.

    Parameters
    ----------
    source
        A registry dataset name (``"erco2"``), a path, a glob (``"MT_*.dat"``) or a list.
    loader
        Loader name; default: recognized from each file.
    **options
        Loader options (:class:`~reanalyze.loaders.base.LoadOptions`) and, for several files,
        those of :func:`load_files`.
    """
    if isinstance(source, str | Path):
        text = str(source)
        if not _exists(Path(text)) and text in load_registry().datasets:
            if options or loader:
                raise DataError(f"{text} is a registry dataset; it takes no loader options")
            return load_dataset(text)
        paths = _expand([text])
        multi = {"slow_axis", "slow_values", "slow_unit", "slow_kind", "setpoint_resolution"}
        if len(paths) == 1 and not (multi & set(options)) and not _GLOB_CHARS & set(text):
            return load_file(paths[0], loader=loader, **options)
        return load_files(paths, loader=loader, **options)
    if isinstance(source, Mapping):
        raise DataError("give a path, a pattern or a list of paths")
    return load_files(list(source), loader=loader, **options)
