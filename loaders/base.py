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

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from reanalyze.errors import ColumnError, DataError, UnitError
from reanalyze.headers import parse_header
from reanalyze.table import ColumnSpec, Sample, UnitTable
from reanalyze.units import check_kind, infer_kind, kind_from_name

__all__ = ["LoadOptions", "Loader", "build_table", "read_text"]

log = logging.getLogger(__name__)

NonFinite = Literal["drop", "error"]
Duplicates = Literal["drop", "error", "keep"]


class LoadOptions(dict[str, Any]):
    """Options every loader accepts (a plain dict, documented here).

    columns
        Columns to keep, by header (``"Temperature (K)"``) or by name (``"Temperature"``).
        Default: every column with a known unit (or all, when none has units).
    rename
        ``{old: new}`` names for the kept columns.
    units
        ``{column: unit}`` for columns whose headers carry no unit, or to override one.
    kinds
        ``{column: kind}`` to override the quantity kind inferred from the unit.
    nonfinite
        ``"drop"`` (default) rows with NaN/inf in a kept column, with a count in the notes,
        or ``"error"``.
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
    """The whole file as text, with clear errors for a missing, empty or binary file."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: file is empty")
    if b"\x00" in raw[:4096]:
        raise DataError(f"{path}: binary file, not text")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: cannot decode text")  # pragma: no cover - latin-1 always works


def _resolve(wanted: str, raw_headers: Sequence[str], names: Sequence[str], source: str) -> str:
    if wanted in raw_headers:
        return wanted
    matches = [raw for raw, name in zip(raw_headers, names, strict=True) if name == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ColumnError(f"{source}: column name {wanted!r} is ambiguous: {matches}")
    raise ColumnError(
        f"{source}: unknown column {wanted!r} (columns: {', '.join(map(str, raw_headers))})"
    )


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
) -> UnitTable:
    """Turn a DataFrame whose columns are raw headers into a :class:`UnitTable`.

    Parameters
    ----------
    frame
        Cells as read (strings or numbers); column names are the file's headers.
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

    Raises
    ------
    ColumnError, UnitError, DataError
        Unknown, non-numeric or unit-less columns, bad units, nothing left to load.
    """
    notes = list(notes)
    raw_headers = [str(c) for c in frame.columns]
    if len(set(raw_headers)) != len(raw_headers):
        dupes = sorted({h for h in raw_headers if raw_headers.count(h) > 1})
        raise ColumnError(f"{source}: duplicate column header(s) {dupes}")
    parsed = {raw: parse_header(raw) for raw in raw_headers}
    names = [parsed[raw].name for raw in raw_headers]
    units_given = {_resolve(k, raw_headers, names, source): v for k, v in (units or {}).items()}
    kinds_given = {_resolve(k, raw_headers, names, source): v for k, v in (kinds or {}).items()}

    if columns:
        chosen = [_resolve(c, raw_headers, names, source) for c in columns]
    else:
        with_units = [raw for raw in raw_headers if parsed[raw].unit_known or raw in units_given]
        if skip_empty:
            with_units = [raw for raw in with_units if frame[raw].notna().any()]
        if with_units:
            chosen = with_units
        else:
            chosen = [raw for raw in raw_headers if frame[raw].notna().any()]
            notes.append(
                "no units in the headers: columns used as they are (dimensionless); "
                "give units with --units COLUMN=UNIT"
            )
    if not chosen:
        raise DataError(f"{source}: no columns to load")

    specs: dict[str, ColumnSpec] = {}
    out = pd.DataFrame(index=frame.index)
    for raw in chosen:
        head = parsed[raw]
        name = head.name if head.unit is not None else raw
        if name in specs:  # two headers with the same name and different units
            name = raw
        where = f"{source}: column {raw!r}"
        unit = units_given.get(raw, head.unit)
        if unit is None:
            unit = "dimensionless"
        elif raw not in units_given and not head.unit_known:
            raise UnitError(f"{where}: unknown unit {unit!r}; give one with --units {name}=UNIT")
        kind = kinds_given.get(raw) or infer_kind(unit, name)
        if kind == "label":
            out[name] = frame[raw].astype(str)
            specs[name] = ColumnSpec(kind="label", unit="")
            continue
        check_kind(unit, kind, where=where)
        named = kind_from_name(name)
        if named and named != kind and raw not in kinds_given:
            raise UnitError(
                f"{where}: unit {unit!r} is {kind.replace('_', ' ')}, but the name says "
                f"{named.replace('_', ' ')}"
            )
        cells = frame[raw]
        numeric = pd.to_numeric(cells, errors="coerce")
        text = cells.astype(str).str.strip()
        bad = numeric.isna() & cells.notna() & (text != "") & ~text.str.lower().isin(["nan"])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ColumnError(
                f"{where} holds non-numeric value {cells.iloc[row]!r} (data row {row + 1})"
            )
        out[name] = numeric.astype(np.float64)
        specs[name] = ColumnSpec(kind=kind, unit=unit)

    numeric_names = [n for n, spec in specs.items() if spec.kind != "label"]
    values = out[numeric_names].to_numpy(dtype=np.float64)
    finite = np.isfinite(values).all(axis=1)
    n_bad = int((~finite).sum())
    if n_bad:
        if nonfinite == "error":
            row = int(np.flatnonzero(~finite)[0])
            raise DataError(
                f"{source}: {n_bad} row(s) with NaN/inf in the chosen columns "
                f"(first at data row {row + 1})"
            )
        out = out[finite]
        notes.append(f"dropped {n_bad} row(s) with NaN/inf in the chosen columns")
    duplicated = out.duplicated()
    n_dup = int(duplicated.sum())
    if n_dup and duplicates != "keep":
        if duplicates == "error":
            raise DataError(f"{source}: {n_dup} duplicate row(s)")
        out = out[~duplicated]
        notes.append(f"dropped {n_dup} exact duplicate row(s)")
    if out.empty:
        raise DataError(f"{source}: no valid rows left in the chosen columns")
    out = out.reset_index(drop=True)
    if rename:
        missing = [k for k in rename if k not in specs]
        if missing:
            raise ColumnError(f"{source}: cannot rename unknown column(s) {missing}")
        out = out.rename(columns=dict(rename))
        specs = {rename.get(k, k): v for k, v in specs.items()}
    for note in notes:
        log.info("%s: %s", source, note)
    meta = dict(metadata or {})
    meta.setdefault("source", source)
    meta["notes"] = [*meta.get("notes", []), *notes]
    return UnitTable(out, specs, sample=sample, metadata=meta, source=source)
