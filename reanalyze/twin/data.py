"""Training data: features and target from a UnitTable, standardization, scan lines.

A scanning measurement is a set of *scan lines*: curves along a fast axis (temperature,
θ1) at fixed values of a slow axis (field, θ2). The slow axis is the feature with the fewest
distinct values; holding out whole lines measures what a twin is for — predicting between
measured curves. A table of two or more features with more lines than half its rows is not
such a scan (its slow axis is a readback that is not constant along lines) and is refused
(:data:`MAX_LINE_SHARE`), since every row would be a line of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.errors import ColumnError, DataError
from reanalyze.table import UnitTable
from reanalyze.wording import option

__all__ = [
    "MAX_LINE_SHARE",
    "Encoding",
    "Standardizer",
    "TrainingData",
    "default_columns",
    "holdout_lines",
]


#: With two or more features, a table may hold at most this share of its rows as scan lines
#: (distinct slow-axis values): more, and nearly every line is a single row.
MAX_LINE_SHARE = 0.5


@dataclass(frozen=True)
class Standardizer:
    """Per-column mean and standard deviation: ``z = (x - mean) / scale``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(cls, values: FloatArray) -> Standardizer:
        """Statistics of the columns of ``values`` (a constant column gets scale 1)."""
        mean = values.mean(axis=0)
        scale = values.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        return cls(tuple(float(v) for v in mean), tuple(float(v) for v in scale))

    def transform(self, values: FloatArray) -> FloatArray:
        """Standardize."""
        return (values - np.asarray(self.mean)) / np.asarray(self.scale)

    def inverse(self, values: FloatArray) -> FloatArray:
        """Undo :meth:`transform`."""
        return values * np.asarray(self.scale) + np.asarray(self.mean)


@dataclass
class TrainingData:
    """Feature matrix and target of a table, with units and provenance.

    Attributes
    ----------
    x, y
        Features ``(n, n_features)`` and target ``(n,)`` in their units.
    features, target
        Column names.
    units, kinds
        Per column name.
    slow_axis
        The feature with the fewest distinct values (the scan lines' label).
    """

    x: FloatArray
    y: FloatArray
    features: list[str]
    target: str
    units: dict[str, str]
    kinds: dict[str, str]
    slow_axis: str
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_table(cls, table: UnitTable, features: Sequence[str], target: str) -> TrainingData:
        """Pick ``features`` and ``target`` from ``table``.

        Raises
        ------
        ColumnError
            A column is missing, a label column, or used as both feature and target.
        DataError
            Too few rows, a constant target, or, with two or more features, more scan lines
            than :data:`MAX_LINE_SHARE` of the rows (no feature is constant along lines).
        """
        features = list(features)
        if not features:
            raise ColumnError("give at least one feature column")
        if target in features:
            raise ColumnError(f"column {target!r} is both a feature and the target")
        for name in [*features, target]:
            if name not in table.columns:
                raise ColumnError(f"unknown column {name!r} (columns: {', '.join(table.columns)})")
            if table.kind(name) == "label":
                raise ColumnError(f"column {name!r} holds labels, not numbers")
        x = np.column_stack([table.values(name) for name in features])
        y = table.values(target)
        if len(y) < 10:
            raise DataError(f"only {len(y)} rows: too few to train a network")
        if np.ptp(y) == 0:
            raise DataError(f"target {target!r} is constant: nothing to learn")
        distinct = [len(np.unique(x[:, i])) for i in range(x.shape[1])]
        if len(features) > 1 and min(distinct) > MAX_LINE_SHARE * len(y):
            raise DataError(_no_scan_lines(table, features, distinct))
        slow = features[int(np.argmin(distinct))]
        names = [*features, target]
        return cls(
            x=x,
            y=y,
            features=features,
            target=target,
            units={n: table.unit(n) for n in names},
            kinds={n: table.kind(n) for n in names},
            slow_axis=slow,
            meta={
                **{k: v for k, v in table.metadata.items() if k in ("dataset", "source", "sha256")},
                **({"sample": table.sample.model_dump()} if table.sample is not None else {}),
            },
        )

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.y)

    def sha256(self) -> str:
        """Checksum of the training numbers (features then target, float64)."""
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.x, dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(self.y, dtype=np.float64).tobytes())
        digest.update(",".join([*self.features, self.target]).encode())
        return digest.hexdigest()

    def lines(self) -> FloatArray:
        """The distinct values of the slow axis, sorted (one per scan line)."""
        return np.unique(self.x[:, self.features.index(self.slow_axis)])

    def line_of_rows(self) -> FloatArray:
        """The slow-axis value of every row."""
        return self.x[:, self.features.index(self.slow_axis)]

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Training range of every feature, in its unit."""
        return {
            name: (float(self.x[:, i].min()), float(self.x[:, i].max()))
            for i, name in enumerate(self.features)
        }

    def to_arrays(self) -> dict[str, Any]:
        """A JSON-friendly description (for storing beside a study)."""
        return {
            "x": self.x.tolist(),
            "y": self.y.tolist(),
            "features": self.features,
            "target": self.target,
            "units": self.units,
            "kinds": self.kinds,
            "slow_axis": self.slow_axis,
            "meta": self.meta,
        }

    def to_table(self) -> UnitTable:
        """The training rows as a :class:`UnitTable` (features then target, with the sample)."""
        import pandas as pd

        from reanalyze.table import Sample

        names = [*self.features, self.target]
        frame = pd.DataFrame(np.column_stack([self.x, self.y]), columns=names)
        sample = self.meta.get("sample")
        return UnitTable(
            frame,
            {n: (self.kinds[n], self.units[n]) for n in names},
            sample=Sample(**sample) if sample else None,
            metadata={
                "features": list(self.features),
                "targets": [self.target],
                "slow_axis": self.slow_axis,
                **{k: v for k, v in self.meta.items() if k != "sample"},
            },
        )

    @classmethod
    def from_arrays(cls, data: dict[str, Any]) -> TrainingData:
        """Inverse of :meth:`to_arrays`."""
        return cls(
            x=np.asarray(data["x"], dtype=np.float64),
            y=np.asarray(data["y"], dtype=np.float64),
            features=list(data["features"]),
            target=str(data["target"]),
            units=dict(data["units"]),
            kinds=dict(data["kinds"]),
            slow_axis=str(data["slow_axis"]),
            meta=dict(data.get("meta", {})),
        )


def _no_scan_lines(table: UnitTable, features: Sequence[str], distinct: Sequence[int]) -> str:
    """Why a table has no scan lines, and which option gives it some."""
    counts = " and ".join(
        f"{name} {n}" if i else f"{name} has {n}"
        for i, (name, n) in enumerate(zip(features, distinct, strict=True))
    )
    return (
        f"no feature is constant along scan lines: {counts} distinct values in {len(table)} "
        "rows, so nearly every row would be a scan line of its own; if each file holds one "
        f"scan line, load the files with {option('slow_axis', value=_per_file(table, features))}"
        ", the column that is one value per file"
    )


def _per_file(table: UnitTable, features: Sequence[str]) -> str:
    """The one feature that is one value per file of origin, else ``NAME``."""
    from reanalyze.load import SOURCE_COLUMN, per_file_setpoint

    if SOURCE_COLUMN not in table.columns or table.kind(SOURCE_COLUMN) != "label":
        return "NAME"
    files = np.asarray(table.labels(SOURCE_COLUMN))
    found = [
        name
        for name in features
        if per_file_setpoint([table.values(name)[files == f] for f in np.unique(files)])
    ]
    return found[0] if len(found) == 1 else "NAME"


#: Targets a scan is taken for, in the order they are preferred.
TARGET_KINDS = ("magnetic_moment", "magnetization", "resistance", "resistivity", "intensity")
#: Axes a scan is taken along.
AXIS_KINDS = ("temperature", "magnetic_field", "angle")


def default_columns(table: UnitTable) -> tuple[list[str], str] | None:
    """Features and target of a scan from its columns' kinds, when they are unambiguous.

    The features are the columns that are temperature, magnetic field or angle; the target is
    the one column of the first target kind present (moment, magnetization, resistance,
    resistivity, intensity). ``None`` when the table's metadata already names them, when
    there is not exactly one column of each kind used, or when a kind is missing.
    """
    by_kind: dict[str, list[str]] = {}
    for name in table.columns:
        by_kind.setdefault(table.kind(name), []).append(name)
    features: list[str] = []
    for kind in AXIS_KINDS:
        names = by_kind.get(kind, [])
        if len(names) > 1:
            return None
        features += names
    for kind in TARGET_KINDS:
        names = by_kind.get(kind, [])
        if len(names) == 1 and features:
            return features, names[0]
        if len(names) > 1:
            return None
    return None


def holdout_lines(lines: FloatArray, fold: int = 0, n_folds: int = 3) -> FloatArray:
    """Interior scan lines held out in fold ``fold`` of ``n_folds``.

    The first and last lines are never held out (predicting them is extrapolation). Interior
    line ``i`` (counting from 0) belongs to fold ``i % n_folds``, so each fold's held-out
    lines are spread over the range and no two neighbours go together.

    Examples
    --------
    >>> holdout_lines(np.array([0.01, 0.1, 0.5, 1, 2, 3, 4, 5]), fold=0)
    array([0.1, 2. ])
    """
    interior = np.sort(lines)[1:-1]
    if interior.size == 0:
        return interior
    folds = min(n_folds, interior.size)
    return interior[np.arange(interior.size) % folds == fold % folds]


#: A feature is learned on a log scale when it is positive and spans more than this ratio.
LOG_SPAN = 10.0
#: Line weights never exceed those of a line spanning this share of the whole target range.
LINE_WEIGHT_FLOOR = 0.02


@dataclass(frozen=True)
class Encoding:
    """How features and target are presented to a network (stored with the twin).

    Attributes
    ----------
    log_features
        Features learned as ``ln x``: positive features spanning more than :data:`LOG_SPAN`
        (a field from 0.01 to 5 T, a moment over decades), so the low end is resolved.
    line_weights
        Weight each row's squared error by ``1 / max(Δy_line, f·Δy)²``, where ``Δy_line`` is
        its scan line's range, ``Δy`` the whole target's range and ``f`` =
        :data:`LINE_WEIGHT_FLOOR`: every line counts by its *relative* error, so low-field
        curves are not drowned by high-field ones.

    Examples
    --------
    >>> data = TrainingData(
    ...     x=np.array([[10.0, 0.01], [20.0, 0.01], [10.0, 5.0], [20.0, 5.0]]),
    ...     y=np.array([1.0, 2.0, 10.0, 30.0]), features=["T", "H"], target="M",
    ...     units={}, kinds={}, slow_axis="H")
    >>> encoding = Encoding.choose(data, log_axes=True, line_weights=True)
    >>> encoding.log_features
    ('H',)
    >>> encoding.row_weights(data).round(4).tolist()
    [1.995, 1.995, 0.005, 0.005]
    """

    log_features: tuple[str, ...] = ()
    line_weights: bool = False

    @classmethod
    def choose(cls, data: TrainingData, *, log_axes: bool, line_weights: bool) -> Encoding:
        """The encoding a recipe asks for, for this data."""
        logs: list[str] = []
        if log_axes:
            for i, name in enumerate(data.features):
                low, high = float(data.x[:, i].min()), float(data.x[:, i].max())
                if low > 0 and high / low > LOG_SPAN:
                    logs.append(name)
        return cls(tuple(logs), bool(line_weights))

    def features(self, names: Sequence[str], x: FloatArray) -> FloatArray:
        """The network's input columns for features ``x`` (n, len(names)) in their units."""
        if not self.log_features:
            return np.asarray(x, dtype=np.float64)
        out = np.array(x, dtype=np.float64, copy=True)
        for name in self.log_features:
            j = list(names).index(name)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[:, j] = np.log(out[:, j])
        return out

    def row_weights(self, data: TrainingData, rows: FloatArray | None = None) -> FloatArray | None:
        """Weights of ``rows`` (a boolean mask, default all), or ``None`` for equal weights."""
        if not self.line_weights:
            return None
        mask = np.ones(data.n_rows, bool) if rows is None else np.asarray(rows, bool)
        lines = data.line_of_rows()[mask]
        y = data.y[mask]
        floor = LINE_WEIGHT_FLOOR * float(np.ptp(y))
        weights = np.empty(len(y))
        for line in np.unique(lines):
            here = lines == line
            weights[here] = 1.0 / max(float(np.ptp(y[here])), floor, 1e-300) ** 2
        return weights / weights.mean()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"log_features": list(self.log_features), "line_weights": self.line_weights}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Encoding:
        """Inverse of :meth:`to_dict` (``None``: the plain encoding of older twins)."""
        if not data:
            return cls()
        return cls(tuple(data.get("log_features", ())), bool(data.get("line_weights", False)))
