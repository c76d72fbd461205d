"""Training data: features and target from a UnitTable, standardization, scan lines.

A scanning measurement is a set of *scan lines*: curves along a fast axis (temperature,
θ1) at fixed values of a slow axis (field, θ2). The slow axis is the feature with the fewest
distinct values; holding out whole lines measures what a twin is for — predicting between
measured curves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze.errors import ColumnError, DataError
from reanalyze.table import UnitTable

__all__ = ["Standardizer", "TrainingData", "holdout_lines"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Standardizer:
    """Per-column mean and standard deviation: ``z = (x - mean) / scale``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(cls, values: Array) -> Standardizer:
        """Statistics of the columns of ``values`` (a constant column gets scale 1)."""
        mean = values.mean(axis=0)
        scale = values.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        return cls(tuple(float(v) for v in mean), tuple(float(v) for v in scale))

    def transform(self, values: Array) -> Array:
        """Standardize."""
        return (values - np.asarray(self.mean)) / np.asarray(self.scale)

    def inverse(self, values: Array) -> Array:
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

    x: Array
    y: Array
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
            Too few rows or a constant target.
        """
        features = list(features)
        if not features:
            raise ColumnError("give at least one feature column (--x)")
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

    def lines(self) -> Array:
        """The distinct values of the slow axis, sorted (one per scan line)."""
        return np.unique(self.x[:, self.features.index(self.slow_axis)])

    def line_of_rows(self) -> Array:
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


def holdout_lines(lines: Array, fold: int = 0, n_folds: int = 3) -> Array:
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
