"""Unit-aware tables: a float64 :class:`pandas.DataFrame` plus a pydantic schema.

A :class:`UnitTable` keeps numbers as plain float64 columns (fast, Parquet-friendly, no
process-wide pandas state) and their meaning beside them in a :class:`TableSchema`: per column
the quantity kind and unit, plus the sample (mass, material) and free-form metadata such as the
files of origin. ``docs/units-and-tables.md`` explains why this design was chosen over
pint-pandas columns.

Units travel with the data: CSV headers read ``T (K)`` and a first comment line holds the
schema as JSON; Parquet files carry the schema in their key-value metadata.

Examples
--------
>>> import pandas as pd
>>> t = UnitTable(pd.DataFrame({"T": [10.0, 20.0], "H": [1e4, 1e4], "M": [0.07, 0.06]}),
...               {"T": ("temperature", "K"), "H": ("magnetic_field", "Oe"),
...                "M": ("magnetic_moment", "emu")},
...               sample=Sample(mass=0.61, mass_unit="mg"))
>>> t.values("H", "T")
array([1., 1.])
>>> t.normalize_by_mass("M").unit("M")
'emu/g'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from reanalyze._atomic import atomic_path
from reanalyze.errors import ColumnError, DataError, UnitError, validation_message
from reanalyze.units import KINDS, check_kind, convert, format_unit

__all__ = [
    "ColumnSpec",
    "Sample",
    "TableSchema",
    "UnitTable",
    "assemble_frame",
    "concat",
    "header",
]

#: Key of the schema in Parquet metadata and the prefix of the schema line in CSV files.
SCHEMA_KEY = "reanalyze-table"


class ColumnSpec(BaseModel):
    """Meaning of one column: its quantity kind and unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="Quantity kind, a key of reanalyze.units.KINDS.")
    unit: str = Field(description="pint unit string, e.g. 'K', 'Oe', 'emu'.")
    description: str = Field(default="", description="Free text, e.g. what was measured.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown quantity kind {value!r} (known: {', '.join(KINDS)})")
        return value


class Sample(BaseModel):
    """The measured sample."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    material: str | None = Field(default=None, description="Material or formula, e.g. ErCo2.")
    mass: float | None = Field(default=None, gt=0, description="Sample mass in ``mass_unit``.")
    mass_unit: str = Field(default="mg", description="Unit of ``mass``.")
    molar_mass: float | None = Field(
        default=None, gt=0, description="Molar mass of one formula unit, g/mol."
    )

    def __str__(self) -> str:
        """``ErCo2, 0.61 mg, molar mass 285.125 g/mol`` (what is known of it).

        >>> str(Sample(material="ErCo2", mass=0.61, molar_mass=285.125))
        'ErCo2, 0.61 mg, molar mass 285.125 g/mol'
        >>> str(Sample())
        'unknown sample'
        """
        parts = [self.material] if self.material else []
        if self.mass is not None:
            parts.append(f"{self.mass:g} {self.mass_unit}")
        if self.molar_mass is not None:
            parts.append(f"molar mass {self.molar_mass:g} g/mol")
        return ", ".join(parts) or "unknown sample"

    def mass_in(self, unit: str) -> float:
        """The sample mass converted to ``unit``; :class:`DataError` if it is unknown."""
        if self.mass is None:
            raise DataError("the sample mass is unknown: give it (e.g. 0.61 mg)")
        return float(convert(self.mass, self.mass_unit, unit, kind="mass"))


class TableSchema(BaseModel):
    """Columns, sample and metadata of a :class:`UnitTable`; serialized with the data."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, ColumnSpec]
    sample: Sample | None = None
    metadata: dict[str, JsonValue] = Field(default_factory=dict)


ColumnLike = ColumnSpec | tuple[str, str] | Mapping[str, str]


def _as_spec(name: str, spec: ColumnLike) -> ColumnSpec:
    if isinstance(spec, ColumnSpec):
        return spec
    if isinstance(spec, tuple):
        kind, unit = spec
        return ColumnSpec(kind=kind, unit=unit)
    try:
        return ColumnSpec(**dict(spec))
    except ValidationError as exc:
        raise DataError(validation_message(exc, f"column {name!r}", field=None)) from None


def header(name: str, unit: str) -> str:
    """Column header with its unit, e.g. ``header("T", "K") == "T (K)"``."""
    if not unit or unit == "dimensionless":
        return name
    return f"{name} ({unit})"


class UnitTable:
    """A table of float64 columns, each with a quantity kind and a unit.

    Parameters
    ----------
    data
        The numbers. Every column must be numeric except columns of kind ``label``
        (e.g. the file a row came from).
    columns
        For every column of ``data``: a :class:`ColumnSpec` or a ``(kind, unit)`` tuple.
    sample
        The measured sample (mass, material), used for normalization by mass.
    metadata
        JSON-serializable facts: source files, instrument header fields, loader notes.
    source
        What to name in error messages (a file name), default ``"table"``.

    Raises
    ------
    ColumnError
        A column of ``data`` has no spec, a spec names no column, or a column is not numeric.
    UnitError
        A unit is unknown or has the wrong dimension for its kind.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        columns: Mapping[str, ColumnLike],
        sample: Sample | None = None,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str = "table",
    ) -> None:
        specs = {name: _as_spec(name, spec) for name, spec in columns.items()}
        names = [str(c) for c in data.columns]
        if data.columns.has_duplicates:
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise ColumnError(f"{source}: duplicate column name(s) {', '.join(repeated)}")
        missing = [n for n in names if n not in specs]
        if missing:
            raise ColumnError(f"{source}: no kind/unit given for column(s) {', '.join(missing)}")
        present = set(data.columns)
        absent = [name for name in specs if name not in present]
        if absent:
            raise ColumnError(f"{source}: column(s) {', '.join(absent)} not in the data")
        normalized: dict[str, ColumnSpec] = {}
        formatted: dict[tuple[str, str], str] = {}
        for name, spec in specs.items():
            key = (spec.unit, spec.kind)
            if key not in formatted:
                check_kind(spec.unit, spec.kind, where=f"{source}: column {name!r}")
                formatted[key] = format_unit(spec.unit) if spec.kind != "label" else ""
            unit = formatted[key]
            normalized[name] = spec if unit == spec.unit else spec.model_copy(update={"unit": unit})
        numeric = [name for name, spec in specs.items() if spec.kind != "label"]
        dtypes = dict(zip(names, data.dtypes, strict=True))
        ready = [
            n
            for n in numeric
            if pd.api.types.is_numeric_dtype(dtypes[n])
            and not pd.api.types.is_complex_dtype(dtypes[n])
        ]
        block = (
            data[ready].to_numpy(dtype=np.float64, na_value=np.nan)
            if ready
            else np.empty((len(data), 0))
        )
        texts: dict[str, Any] = {}
        others: dict[str, npt.NDArray[np.float64]] = {}
        ready_set = set(ready)
        for name, spec in specs.items():
            if spec.kind == "label":
                texts[name] = data[name].astype(str).to_numpy()
            elif name not in ready_set:
                column = data[name].reset_index(drop=True)
                numbers = pd.to_numeric(column, errors="coerce")
                bad = numbers.isna() & column.notna()
                if bad.any():
                    row = int(np.flatnonzero(bad.to_numpy())[0])
                    raise ColumnError(
                        f"{source}: column {name!r} holds non-numeric value "
                        f"{column.iloc[row]!r} (row {row + 1})"
                    )
                others[name] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        if others:
            block = np.column_stack([block, *others.values()])
            ready = [*ready, *others]
        frame = assemble_frame(list(specs), ready, block, texts)
        self._data = frame
        self._schema = TableSchema(
            columns=normalized,
            sample=sample,
            metadata=json.loads(json.dumps(dict(metadata or {}), default=str)),
        )

    # ----------------------------------------------------------------- access
    @property
    def data(self) -> pd.DataFrame:
        """A copy of the numbers as a DataFrame (column names without units)."""
        return self._data.copy()

    @property
    def schema(self) -> TableSchema:
        """The columns' kinds and units, the sample and the metadata."""
        return self._schema

    @property
    def columns(self) -> list[str]:
        """Column names in order."""
        return list(self._data.columns)

    @property
    def sample(self) -> Sample | None:
        """The measured sample, if known."""
        return self._schema.sample

    @property
    def metadata(self) -> dict[str, Any]:
        """Free-form metadata (a copy)."""
        return json.loads(json.dumps(self._schema.metadata))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        cols = ", ".join(f"{header(n, s.unit)} [{s.kind}]" for n, s in self._schema.columns.items())
        return f"<UnitTable {len(self)} rows: {cols}>"

    def _spec(self, name: str) -> ColumnSpec:
        try:
            return self._schema.columns[name]
        except KeyError:
            raise ColumnError(
                f"unknown column {name!r} (columns: {', '.join(self.columns)})"
            ) from None

    def unit(self, name: str) -> str:
        """Unit string of column ``name``."""
        return self._spec(name).unit

    def kind(self, name: str) -> str:
        """Quantity kind of column ``name``."""
        return self._spec(name).kind

    def values(self, name: str, unit: str | None = None) -> npt.NDArray[np.float64]:
        """The column as a float64 array, converted to ``unit`` when given."""
        spec = self._spec(name)
        if spec.kind == "label":
            raise ColumnError(f"column {name!r} holds labels, not numbers")
        array = self._data[name].to_numpy(dtype=np.float64, copy=True)
        if unit is None:
            return array
        return convert(array, spec.unit, unit, kind=spec.kind)

    def labels(self, name: str) -> list[str]:
        """A ``label`` column (e.g. the file of origin) as a list of strings."""
        if self._spec(name).kind != "label":
            raise ColumnError(f"column {name!r} holds numbers, not labels")
        return [str(v) for v in self._data[name]]

    def find(self, kind: str) -> list[str]:
        """Names of the columns holding quantity ``kind``."""
        return [n for n, s in self._schema.columns.items() if s.kind == kind]

    # ----------------------------------------------------------- derivations
    def _replace(
        self,
        data: pd.DataFrame,
        columns: Mapping[str, ColumnSpec],
        *,
        sample: Sample | bool | None = True,
        metadata: Mapping[str, Any] | None = None,
    ) -> UnitTable:
        return UnitTable(
            data,
            columns,
            sample=self.sample if sample is True else (sample or None),
            metadata=self.metadata if metadata is None else metadata,
        )

    def convert(self, **units: str) -> UnitTable:
        """A new table with columns converted, e.g. ``table.convert(H="T", T="K")``."""
        data = self._data.copy()
        specs = dict(self._schema.columns)
        for name, unit in units.items():
            spec = self._spec(name)
            data[name] = convert(data[name].to_numpy(), spec.unit, unit, kind=spec.kind)
            specs[name] = spec.model_copy(update={"unit": unit})
        return self._replace(data, specs)

    def select(self, names: Sequence[str]) -> UnitTable:
        """A new table with only ``names``, in that order."""
        for name in names:
            self._spec(name)
        return self._replace(self._data[list(names)], {n: self._schema.columns[n] for n in names})

    def rename(self, mapping: Mapping[str, str]) -> UnitTable:
        """A new table with columns renamed (``{old: new}``)."""
        for old in mapping:
            self._spec(old)
        new_names = [mapping.get(n, n) for n in self.columns]
        if len(set(new_names)) != len(new_names):
            raise ColumnError(f"renaming gives duplicate column names: {new_names}")
        specs = {mapping.get(n, n): s for n, s in self._schema.columns.items()}
        return self._replace(self._data.rename(columns=dict(mapping)), specs)

    def with_column(
        self, name: str, values: npt.ArrayLike | Sequence[str], kind: str, unit: str
    ) -> UnitTable:
        """A new table with column ``name`` added or replaced."""
        data = self._data.copy()
        array = np.asarray(values)
        if array.shape not in ((len(self),), ()):
            raise ColumnError(f"column {name!r} has {array.size} values for {len(self)} rows")
        data[name] = np.broadcast_to(array, (len(self),))
        specs = dict(self._schema.columns)
        specs[name] = ColumnSpec(kind=kind, unit=unit)
        return self._replace(data, specs)

    def with_metadata(self, **items: Any) -> UnitTable:
        """A new table with metadata items added or replaced."""
        return self._replace(self._data, self._schema.columns, metadata={**self.metadata, **items})

    def with_sample(self, sample: Sample | None) -> UnitTable:
        """A new table with the sample replaced."""
        return self._replace(self._data, self._schema.columns, sample=sample or False)

    def filter(self, mask: npt.ArrayLike) -> UnitTable:
        """A new table with the rows where ``mask`` is true."""
        keep = np.asarray(mask, dtype=bool)
        return self._replace(self._data[keep].reset_index(drop=True), self._schema.columns)

    def normalize_by_mass(
        self, name: str, mass: float | None = None, mass_unit: str = "mg", unit: str = "emu/g"
    ) -> UnitTable:
        """Divide a magnetic-moment column by the sample mass, giving a magnetization.

        Parameters
        ----------
        name
            Column of kind ``magnetic_moment``.
        mass, mass_unit
            Sample mass; default the table's :attr:`sample` mass.
        unit
            Unit of the result (``emu/g``, ``A*m**2/kg``, ``J/(kg*T)``).

        Returns
        -------
        UnitTable
            The same table with ``name`` now of kind ``magnetization`` in ``unit``.
        """
        spec = self._spec(name)
        if spec.kind != "magnetic_moment":
            raise UnitError(f"column {name!r} is {spec.kind}, not a magnetic_moment")
        sample = self.sample or Sample()
        if mass is not None:
            sample = sample.model_copy(update={"mass": mass, "mass_unit": mass_unit})
        grams = sample.mass_in("g")
        moment = self.values(name, "emu")
        magnetization = convert(moment / grams, "emu/g", unit, kind="magnetization")
        data = self._data.copy()
        data[name] = magnetization
        specs = dict(self._schema.columns)
        specs[name] = ColumnSpec(kind="magnetization", unit=unit, description=spec.description)
        return self._replace(data, specs, sample=sample)

    # -------------------------------------------------------------- file I/O
    def headers(self) -> list[str]:
        """Column headers with units, as written to CSV (``T (K)``)."""
        return [header(n, s.unit) for n, s in self._schema.columns.items()]

    def to_csv(self, path: str | Path) -> Path:
        """Write CSV with units in the header and the schema in a first ``#`` line.

        The file is written to a temporary name and moved into place, so an error never
        leaves a half-written file.
        """
        target = Path(path)
        frame = self._data.copy()
        frame.columns = pd.Index(self.headers())
        with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(f"# {SCHEMA_KEY}: {self._schema.model_dump_json()}\n")
            frame.to_csv(handle, index=False, lineterminator="\n")
        return target

    def to_parquet(self, path: str | Path) -> Path:
        """Write Parquet with the schema in the file's key-value metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        target = Path(path)
        arrow = pa.Table.from_pandas(self._data, preserve_index=False)
        meta = dict(arrow.schema.metadata or {})
        meta[SCHEMA_KEY.encode()] = self._schema.model_dump_json().encode()
        arrow = arrow.replace_schema_metadata(meta)
        with atomic_path(target) as tmp:
            pq.write_table(arrow, tmp)
        return target

    @classmethod
    def read_parquet(cls, path: str | Path) -> UnitTable:
        """Read a Parquet file written by :meth:`to_parquet`."""
        import pyarrow.parquet as pq

        source = Path(path)
        if not source.is_file():
            raise DataError(f"{source}: no such file")
        try:
            arrow = pq.read_table(source)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
            raise DataError(f"{source}: not a readable Parquet file ({exc})") from None
        raw = (arrow.schema.metadata or {}).get(SCHEMA_KEY.encode())
        if raw is None:
            raise DataError(f"{source}: Parquet file has no reanalyze units metadata")
        schema = TableSchema.model_validate_json(raw)
        return cls(
            arrow.to_pandas(),
            schema.columns,
            sample=schema.sample,
            metadata=schema.metadata,
            source=str(source),
        )

    @classmethod
    def from_schema(cls, data: pd.DataFrame, schema: TableSchema, *, source: str) -> UnitTable:
        """Rebuild a table from data and a :class:`TableSchema` (e.g. read from a file)."""
        return cls(
            data, schema.columns, sample=schema.sample, metadata=schema.metadata, source=source
        )


def assemble_frame(
    order: Sequence[str],
    numeric: Sequence[str],
    numbers: npt.NDArray[np.float64],
    texts: Mapping[str, Any],
) -> pd.DataFrame:
    """A DataFrame of float64 columns ``numeric`` (the columns of ``numbers``) and text
    columns ``texts``, in the column ``order``, built in one piece (no column inserts).

    Parameters
    ----------
    order
        Every column name, in the order wanted.
    numeric, numbers
        Names and values (2-D, one column per name) of the float64 columns.
    texts
        ``{name: values}`` of the text (label) columns.
    """
    frame = pd.DataFrame(numbers, columns=pd.Index(list(numeric), dtype=object), copy=True)
    if texts:
        labels = pd.DataFrame(dict(texts), index=frame.index)
        frame = pd.concat([frame, labels], axis=1)
    if list(frame.columns) != list(order):
        frame = frame[list(order)]
    return frame


def concat(tables: Iterable[UnitTable], *, source: str = "tables") -> UnitTable:
    """Stack tables row-wise, converting every column to the first table's unit.

    Columns must be the same set with the same kinds. Samples must agree (or be absent).
    Metadata of the first table is kept.
    """
    items = list(tables)
    if not items:
        raise DataError(f"{source}: nothing to concatenate")
    first = items[0]
    frames = []
    for i, table in enumerate(items):
        if set(table.columns) != set(first.columns):
            raise ColumnError(
                f"{source}: table {i + 1} has columns {table.columns}, expected {first.columns}"
            )
        part: dict[str, Any] = {}
        for name in first.columns:
            if table.kind(name) != first.kind(name):
                raise ColumnError(
                    f"{source}: column {name!r} is {table.kind(name)} in table {i + 1}, "
                    f"{first.kind(name)} in table 1"
                )
            if first.kind(name) == "label":
                part[name] = np.asarray(table.labels(name), dtype=object)
            else:
                part[name] = table.values(name, first.unit(name))
        frames.append(pd.DataFrame(part, index=pd.RangeIndex(len(table))))
        if table.sample and first.sample and table.sample != first.sample:
            raise DataError(f"{source}: table {i + 1} describes a different sample")
    return UnitTable(
        pd.concat(frames, ignore_index=True),
        first.schema.columns,
        sample=first.sample,
        metadata=first.metadata,
        source=source,
    )
