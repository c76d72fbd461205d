"""What every loader is, and the column handling they share.

A loader turns one file into a :class:`~reanalyze.table.UnitTable`. Loaders are plugins: the
built-in ones are named in ``registry.yaml`` and third-party ones register under the
entry-point group ``reanalyze.loaders`` (see :mod:`reanalyze.plugins`).

Writing a loader means subclassing :class:`Loader`, parsing the file into a DataFrame whose
column names are the file's headers (units included, e.g. ``"Temperature (K)"``), and handing
it to :func:`build_table`, which does the rest the same way for every format: unit parsing,
column selection and renaming, kinds, NaN/inf rows, duplicates and notes.
"""

from __future__ import annotations

import codecs
import logging
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from reanalyze._io import read_bytes
from reanalyze.errors import ColumnError, DataError, UnitError
from reanalyze.headers import ParsedHeader, parse_header
from reanalyze.table import ColumnSpec, Sample, UnitTable, assemble_frame
from reanalyze.units import check_kind, convert, infer_kind, kind_from_name, parse_unit
from reanalyze.wording import option

__all__ = ["LoadOptions", "Loader", "build_table", "read_text"]

log = logging.getLogger(__name__)

NonFinite = Literal["drop", "error"]
Duplicates = Literal["drop", "error", "keep"]


class LoadOptions(dict[str, Any]):
    """Options every loader accepts (a plain dict, documented here).

    columns
        Columns to keep, by header (``"Temperature (K)"``) or by name (``"Temperature"``),
        each once. Default: every column holding values. A header unit pint does not know is
        an error (give the unit with ``units``, or choose the other columns); a column
        without a unit is kept as dimensionless numbers, or as text labels when it holds no
        numbers at all, and the notes say so. Empty columns are left out, with a note.
    rename
        ``{old: new}`` names for the kept columns; a new name may not be one another column
        keeps.
    units
        ``{column: unit}`` for columns whose headers carry no unit, or to override one.
    kinds
        ``{column: kind}`` to override the quantity kind inferred from the unit.
    nonfinite
        ``"drop"`` (default) rows with NaN/inf or a missing value in a kept column (e.g. a
        row with fewer fields than the header), with counts and lines in the notes, or
        ``"error"``.
    duplicates
        ``"drop"`` (default) exact duplicate rows with a count in the notes, ``"error"``,
        or ``"keep"``.
    """


class Loader(ABC):
    """Base class of file loaders.

    Class attributes
    ----------------
    name
        Registry name, e.g. ``"quantum_design"``.
    description
        One line for ``reanalyze data loaders``.
    suffixes
        File suffixes this loader usually reads (lower case, with the dot).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]] = ()

    def sniff(self, path: Path, head: str) -> bool:
        """Whether the file looks like this format; ``head`` is its first 4 KiB as text.

        The default accepts files with one of :attr:`suffixes`.
        """
        return path.suffix.lower() in self.suffixes

    @abstractmethod
    def load(self, path: Path, **options: Any) -> UnitTable:
        """Read ``path`` into a :class:`UnitTable`; options as in :class:`LoadOptions`."""


def read_text(path: Path) -> str:
    """The whole file as text, with one-line errors for a file that cannot be read.

    UTF-8 (with or without a byte-order mark) is tried first, then cp1252 and latin-1, the
    encodings of instrument PCs; UTF-16 is read when the file starts with its byte-order
    mark.

    Raises
    ------
    DataError
        Missing, a folder, unreadable (permissions, I/O), empty, binary or undecodable.
    """
    raw = read_bytes(path)
    if not raw.strip():
        raise DataError(f"{path}: file is empty")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path}: starts like UTF-16 text but is not (byte {exc.start})"
            ) from None
    if b"\x00" in raw[:4096]:
        raise DataError(f"{path}: binary file, not text")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: cannot decode text")  # pragma: no cover - latin-1 always works


def _listing(items: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(map(str, items[:limit]))
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def _quoted(items: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


class _Resolver:
    """Finds a column given by header (``"T (K)"``) or by name (``"T"``)."""

    def __init__(self, raw_headers: Sequence[str], parsed: Mapping[str, ParsedHeader], source: str):
        self.raw = list(raw_headers)
        self.known = set(raw_headers)
        self.by_name: dict[str, list[str]] = {}
        for raw in raw_headers:
            self.by_name.setdefault(parsed[raw].name, []).append(raw)
        self.source = source

    def __call__(self, wanted: str) -> str:
        if wanted in self.known:
            return wanted
        matches = self.by_name.get(wanted, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ColumnError(f"{self.source}: column name {wanted!r} is ambiguous: {matches}")
        raise ColumnError(
            f"{self.source}: unknown column {wanted!r} (columns: {_listing(self.raw)})"
        )

    def mapping(self, given: Mapping[str, str] | None, option: str) -> dict[str, str]:
        """``given`` keyed by raw header; a column named twice is an error."""
        out: dict[str, str] = {}
        keys: dict[str, str] = {}
        for key, value in (given or {}).items():
            raw = self(key)
            if raw in out:
                raise ColumnError(
                    f"{self.source}: {option} names column {raw!r} twice "
                    f"({keys[raw]!r} and {key!r})"
                )
            out[raw], keys[raw] = value, key
        return out


#: Cell texts that mean "not a number" (kept as NaN, then dropped or refused as non-finite).
_NAN_TEXT = ("nan", "+nan", "-nan")


class _Cells:
    """The cells of some columns parsed as numbers at once, and what each cell is.

    Attributes
    ----------
    numbers
        float64, shape (rows, columns): the number of each cell, NaN where none.
    empty
        Cells with nothing in them.
    bad
        Cells holding text that is not a number (nor ``nan``).
    """

    def __init__(self, frame: pd.DataFrame, raws: Sequence[str]) -> None:
        n_rows = len(frame)
        self.index = {raw: j for j, raw in enumerate(raws)}
        cells = frame[list(raws)].to_numpy(dtype=object) if raws else np.empty((n_rows, 0), object)
        self.cells = cells
        flat = cells.ravel(order="F")
        numbers = pd.to_numeric(pd.Series(flat, dtype=object), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        empty = np.zeros(flat.shape, dtype=bool)
        bad = np.zeros(flat.shape, dtype=bool)
        overflow = np.zeros(flat.shape, dtype=bool)
        missing = np.flatnonzero(np.isnan(numbers))
        if missing.size:
            texts = pd.Series(flat[missing], dtype=object)
            none = texts.isna().to_numpy()
            stripped = texts.astype(str).str.strip()
            blank = none | (stripped == "").to_numpy()
            nan_text = stripped.str.lower().isin(_NAN_TEXT).to_numpy()
            empty[missing] = blank
            bad[missing] = ~blank & ~nan_text
        infinite = np.flatnonzero(np.isinf(numbers))
        if infinite.size:
            texts = pd.Series(flat[infinite], dtype=object).astype(str).str.lower()
            overflow[infinite] = ~texts.str.contains("inf", regex=False).to_numpy()
        shape = (n_rows, len(raws))
        self.numbers = numbers.reshape(shape, order="F")
        self.empty = empty.reshape(shape, order="F")
        self.bad = bad.reshape(shape, order="F")
        self.overflow = overflow.reshape(shape, order="F")

    def column(self, raw: str) -> int:
        return self.index[raw]

    def has_values(self, raw: str) -> bool:
        return not bool(self.empty[:, self.index[raw]].all())

    def has_numbers(self, raw: str) -> bool:
        return not bool(np.isnan(self.numbers[:, self.index[raw]]).all())

    def has_text(self, raw: str) -> bool:
        return bool(self.bad[:, self.index[raw]].any())


def _rows_text(rows: Sequence[int], lines: Sequence[int] | None, limit: int = 5) -> str:
    """``"line 5"``, ``"lines 5, 7, 9, … (12 in all)"`` or ``"data rows 1, 2"``."""
    labels = [str(lines[i]) if lines is not None else str(i + 1) for i in rows[:limit]]
    word = "line" if lines is not None else "data row"
    text = f"{word}{'s' if len(rows) > 1 else ''} {', '.join(labels)}"
    return text + (f", … ({len(rows)} in all)" if len(rows) > limit else "")


def _line_of(i: int, lines: Sequence[int] | None) -> str:
    return f"line {lines[i]}" if lines is not None else f"data row {i + 1}"


def _in_kelvin(values: npt.NDArray[np.float64], unit: str) -> npt.NDArray[np.float64]:
    if parse_unit(unit) == parse_unit("K"):
        return values
    return convert(values, unit, "K")


def build_table(
    frame: pd.DataFrame,
    *,
    source: str,
    columns: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    nonfinite: NonFinite = "drop",
    duplicates: Duplicates = "drop",
    sample: Sample | None = None,
    metadata: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
    skip_empty: bool = True,
    lines: Sequence[int] | None = None,
    short_rows: Mapping[int, str] | None = None,
) -> UnitTable:
    """Turn a DataFrame whose columns are raw headers into a :class:`UnitTable`.

    Parameters
    ----------
    frame
        Cells as read (strings or numbers; None, NaN or ``""`` where empty); column names
        are the file's headers.
    source
        File name used in messages and kept in metadata.
    columns, rename, units, kinds, nonfinite, duplicates
        See :class:`LoadOptions`.
    sample, metadata
        Passed to the table; ``metadata["notes"]`` collects what was done to the data.
    notes
        Notes from the loader itself (e.g. which moment column it took).
    skip_empty
        When choosing columns automatically, leave out columns with no values at all.
    lines
        The file line (1-based) of each row of ``frame``, for messages; default: data rows.
    short_rows
        Rows (positions in ``frame``) that had fewer fields than the header, with what to
        say about each, e.g. ``{4: "line 6 has 2 of 3 fields"}``; their missing fields are
        empty cells in ``frame``. They are counted apart from NaN rows in the notes.

    Raises
    ------
    ColumnError, UnitError, DataError
        Unknown, repeated, non-numeric or clashing columns, unknown units, numbers that
        overflow, temperatures below absolute zero, nothing left to load.
    """
    notes = list(notes)
    short = dict(short_rows or {})
    raw_headers = [str(c) for c in frame.columns]
    counted = Counter(raw_headers)
    if len(counted) != len(raw_headers):
        dupes = sorted(h for h, n in counted.items() if n > 1)
        raise ColumnError(f"{source}: duplicate column header(s) {dupes}")
    frame = frame.set_axis(raw_headers, axis=1)
    parsed = {raw: parse_header(raw) for raw in raw_headers}
    resolve = _Resolver(raw_headers, parsed, source)
    units_given = resolve.mapping(units, "units")
    kinds_given = resolve.mapping(kinds, "kinds")

    if columns:
        chosen: list[str] = []
        given_as: dict[str, str] = {}
        for wanted in columns:
            raw = resolve(wanted)
            if raw in given_as:
                raise ColumnError(
                    f"{source}: column {raw!r} is chosen twice ({given_as[raw]!r} and "
                    f"{wanted!r}); give each column once"
                )
            given_as[raw] = wanted
            chosen.append(raw)
        cells = _Cells(frame, chosen)
    else:
        cells = _Cells(frame, raw_headers)
        left_out = [raw for raw in raw_headers if not cells.has_values(raw)] if skip_empty else []
        if left_out:
            notes.append(f"left out {len(left_out)} empty column(s): {_quoted(left_out)}")
        empty_set = set(left_out)
        chosen = [raw for raw in raw_headers if raw not in empty_set]
        with_units = [raw for raw in chosen if parsed[raw].unit is not None or raw in units_given]
        bare = [raw for raw in chosen if parsed[raw].unit is None and raw not in units_given]
        if chosen and not with_units:
            notes.append(
                "no units in the headers: columns used as they are (dimensionless); "
                f"give units with {option('units', 'COLUMN', 'UNIT')}"
            )
        elif bare:
            numbers = [raw for raw in bare if raw not in kinds_given and cells.has_numbers(raw)]
            if numbers:
                notes.append(
                    f"{len(numbers)} column(s) without a unit kept as dimensionless numbers: "
                    f"{_quoted(numbers)} (give units with {option('units', numbers[0], 'UNIT')})"
                )
    if not chosen:
        raise DataError(f"{source}: no columns to load")

    short_names = {raw: parsed[raw].name if parsed[raw].unit is not None else raw for raw in chosen}
    name_counts = Counter(short_names.values())
    specs: dict[str, ColumnSpec] = {}
    name_of: dict[str, str] = {}
    labels: list[str] = []
    for raw in chosen:
        head = parsed[raw]
        name = short_names[raw] if name_counts[short_names[raw]] == 1 else raw
        where = f"{source}: column {raw!r}"
        unit = units_given.get(raw, head.unit)
        bare_column = unit is None
        if unit is None:
            unit = "dimensionless"
        elif raw not in units_given and not head.unit_known:
            raise UnitError(
                f"{where}: unknown unit {unit!r} (give it with {option('units', name, 'UNIT')}, "
                f"or choose the other columns with {option('columns', value='[...]')})"
            )
        kind = kinds_given.get(raw)
        if kind is None:
            if bare_column and not cells.has_numbers(raw) and cells.has_text(raw):
                kind = "label"
            else:
                kind = infer_kind(unit, name)
        named = kind_from_name(name)
        if named and named != kind and raw not in kinds_given:
            if bare_column:
                raise UnitError(
                    f"{where} has no unit, but the name says {named.replace('_', ' ')}; "
                    f"give one with {option('units', name, 'UNIT')}"
                )
            raise UnitError(
                f"{where}: unit {unit!r} is {kind.replace('_', ' ')}, but the name says "
                f"{named.replace('_', ' ')}"
            )
        if kind == "label":
            specs[name] = ColumnSpec(kind="label", unit="")
            labels.append(raw)
        else:
            check_kind(unit, kind, where=where)
            specs[name] = ColumnSpec(kind=kind, unit=unit)
        name_of[raw] = name
    if labels and not columns:
        notes.append(
            f"{len(labels)} column(s) without a unit hold text: kept as labels: {_quoted(labels)}"
        )

    label_set = set(labels)
    numeric = [raw for raw in chosen if raw not in label_set]
    if not numeric:
        raise DataError(f"{source}: no column holds numbers (columns: {_listing(chosen)})")
    index = [cells.column(raw) for raw in numeric]
    values = cells.numbers[:, index]
    flagged = cells.bad[:, index].any(axis=0) | cells.overflow[:, index].any(axis=0)
    for j in np.flatnonzero(flagged):
        raw, column = numeric[j], index[j]
        rows = np.flatnonzero(cells.bad[:, column])
        if rows.size:
            i = int(rows[0])
            at = f"line {lines[i]}: " if lines is not None else ""
            raise ColumnError(
                f"{source}: {at}column {raw!r} holds non-numeric value "
                f"{cells.cells[i, column]!r} (data row {i + 1})"
            )
        rows = np.flatnonzero(cells.overflow[:, column])
        if rows.size:
            i = int(rows[0])
            raise DataError(
                f"{source}: column {raw!r}: {str(cells.cells[i, column]).strip()!r} is too "
                f"large for a float ({_line_of(i, lines)})"
            )
    _check_temperatures(values, numeric, specs, name_of, cells, source, lines)

    finite = np.isfinite(values).all(axis=1)
    dropped = np.flatnonzero(~finite)
    short_dropped = [int(i) for i in dropped if int(i) in short]
    nan_dropped = [int(i) for i in dropped if int(i) not in short]
    if dropped.size and nonfinite == "error":
        first = int(dropped[0])
        if first in short:
            raise DataError(f"{source}: {short[first]} (a short row)")
        raise DataError(
            f"{source}: {len(nan_dropped)} row(s) with NaN/inf in the chosen columns "
            f"(first at data row {first + 1}" + (f", line {lines[first]})" if lines else ")")
        )
    if short_dropped:
        said = "; ".join(short[i] for i in short_dropped[:3])
        more = f"; … ({len(short_dropped)} in all)" if len(short_dropped) > 3 else ""
        notes.append(f"dropped {len(short_dropped)} short row(s) ({said}{more})")
    if nan_dropped:
        where = f" ({_rows_text(nan_dropped, lines)})" if lines is not None else ""
        notes.append(f"dropped {len(nan_dropped)} row(s) with NaN/inf in the chosen columns{where}")
    kept_short = [i for i in short if finite[i]]
    if kept_short:
        said = "; ".join(short[i] for i in sorted(kept_short)[:3])
        notes.append(
            f"{len(kept_short)} short row(s) kept, their missing fields read as empty ({said})"
        )

    keep = np.flatnonzero(finite)
    texts: dict[str, Any] = {}
    for raw in labels:
        column = cells.column(raw)
        text = pd.Series(cells.cells[keep, column], dtype=object)
        texts[name_of[raw]] = text.where(~cells.empty[keep, column], "").astype(str).to_numpy()
    out = assemble_frame(
        [name_of[raw] for raw in chosen], [name_of[raw] for raw in numeric], values[keep], texts
    )
    kept_lines = [lines[int(i)] for i in keep] if lines is not None else None

    duplicated = _duplicated(out, values[keep] if not labels else None)
    n_dup = int(duplicated.sum())
    if n_dup and duplicates != "keep":
        twins = [int(i) for i in np.flatnonzero(duplicated)]
        if duplicates == "error":
            raise DataError(
                f"{source}: {n_dup} duplicate row(s) (first at {_line_of(twins[0], kept_lines)})"
            )
        out = out[~duplicated].reset_index(drop=True)
        where = f" ({_rows_text(twins, kept_lines)})" if kept_lines is not None else ""
        notes.append(f"dropped {n_dup} exact duplicate row(s){where}")
    if out.empty:
        raise DataError(f"{source}: no valid rows left in the chosen columns")
    if rename:
        specs, out = _rename(specs, out, rename, name_of, source)
    for note in notes:
        log.info("%s: %s", source, note)
    meta = dict(metadata or {})
    meta.setdefault("source", source)
    meta["notes"] = [*meta.get("notes", []), *notes]
    return UnitTable(out, specs, sample=sample, metadata=meta, source=source)


def _duplicated(
    out: pd.DataFrame, numbers: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.bool_]:
    """Rows equal to an earlier one; fast on wide all-number tables (one key per row)."""
    if numbers is None or numbers.shape[1] < 64:
        return np.asarray(out.duplicated().to_numpy(), dtype=bool)
    rows = np.ascontiguousarray(numbers + 0.0)  # -0.0 == 0.0
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    return np.asarray(pd.Series([k.tobytes() for k in keys]).duplicated().to_numpy(), dtype=bool)


def _check_temperatures(
    values: npt.NDArray[np.float64],
    numeric: Sequence[str],
    specs: Mapping[str, ColumnSpec],
    name_of: Mapping[str, str],
    cells: _Cells,
    source: str,
    lines: Sequence[int] | None,
) -> None:
    """Refuse a temperature below absolute zero (after conversion to kelvin)."""
    by_unit: dict[str, list[int]] = {}
    for j, raw in enumerate(numeric):
        spec = specs[name_of[raw]]
        if spec.kind == "temperature":
            by_unit.setdefault(spec.unit, []).append(j)
    for unit, index in by_unit.items():
        kelvin = _in_kelvin(values[:, index], unit)
        below = kelvin < 0
        if not below.any():
            continue
        columns = np.flatnonzero(below.any(axis=0))
        j = int(columns[0])
        i = int(np.flatnonzero(below[:, j])[0])
        raw = numeric[index[j]]
        cell = str(cells.cells[i, cells.column(raw)]).strip()
        at = _line_of(i, lines)
        raise DataError(f"{source}: column {raw!r}: {cell} {unit} is below absolute zero ({at})")


def _rename(
    specs: dict[str, ColumnSpec],
    out: pd.DataFrame,
    rename: Mapping[str, str],
    name_of: Mapping[str, str],
    source: str,
) -> tuple[dict[str, ColumnSpec], pd.DataFrame]:
    """Apply ``{old: new}`` (old by name or header); refuse clashes in one line."""
    mapping: dict[str, str] = {}
    given: dict[str, str] = {}
    missing = []
    for old, new in rename.items():
        key = old if old in specs else name_of.get(old)
        if key is None:
            missing.append(old)
            continue
        if not str(new).strip():
            raise ColumnError(f"{source}: rename {old}={new}: the new name is empty")
        if key in mapping:
            raise ColumnError(
                f"{source}: column {key!r} is renamed twice ({given[key]}={mapping[key]} and "
                f"{old}={new})"
            )
        mapping[key], given[key] = str(new), old
    if missing:
        raise ColumnError(f"{source}: cannot rename unknown column(s) {missing}")
    final = [mapping.get(n, n) for n in specs]
    clashes = [n for n, count in Counter(final).items() if count > 1]
    if clashes:
        target = clashes[0]
        sources = [n for n in specs if mapping.get(n, n) == target]
        renamed = [f"{given[n]}={target}" for n in sources if n in mapping]
        kept = [n for n in sources if n not in mapping]
        if kept:
            raise ColumnError(
                f"{source}: rename {renamed[0]}: there is a column {target!r} already "
                f"(rename it too, or leave it out with {option('columns', value='[...]')})"
            )
        raise ColumnError(
            f"{source}: rename {' and '.join(renamed)} give two columns named {target!r}"
        )
    new_specs = {mapping.get(n, n): s for n, s in specs.items()}
    return new_specs, out.rename(columns=mapping)
