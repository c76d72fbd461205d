"""Shared pieces of the synthetic generators: the generator base class and scan grids.

Every generator of :mod:`reanalyze.synthetic` derives from :class:`SyntheticGenerator`. It
declares its scan's feature columns and target column, each as one :class:`Column` (name,
unit and quantity kind), evaluates the noise-free :meth:`~SyntheticGenerator.truth` on any
grid, and simulates a coarse measurement with :meth:`~SyntheticGenerator.scan`.
:meth:`~SyntheticGenerator.truth_table` evaluates the truth on the feature columns of any
:class:`~reanalyze.table.UnitTable`, converting units.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from reanalyze.arrays import FloatArray
from reanalyze.table import Sample, UnitTable

__all__ = [
    "Column",
    "SyntheticGenerator",
    "TemperatureFieldScan",
    "grid_columns",
    "parameters_of",
]


class Column(NamedTuple):
    """One column of a synthetic scan.

    Attributes
    ----------
    name : str
        Column name in the scan's table, e.g. ``"T"``.
    unit : str
        Unit of the column's values, e.g. ``"K"``.
    kind : str
        Quantity kind of the column, e.g. ``"temperature"``.

    Examples
    --------
    >>> Column("H", "Oe", "magnetic_field").unit
    'Oe'
    """

    name: str
    unit: str
    kind: str


class SyntheticGenerator(ABC):
    """Base class of the synthetic measurement generators.

    Subclasses set :attr:`name`, :attr:`features` and :attr:`target` and implement
    :meth:`truth`, :meth:`scan` and :attr:`description`. The per-part attributes
    (:attr:`feature_columns`, :attr:`feature_units`, ... :attr:`target_kind`) are derived
    from :attr:`features` and :attr:`target` when the subclass is created.

    Attributes
    ----------
    name : str
        Short identifier of the generator family, e.g. ``"bean_rodbell"``.
    features : tuple of Column
        The scan's input columns, in the order :meth:`truth` takes them; their units are
        those of the scan and of :meth:`truth`'s arguments.
    target : Column
        The measured column.
    feature_columns : tuple of str
        Names of the :attr:`features` (derived).
    feature_units : tuple of str
        Units of the :attr:`features` (derived).
    feature_kinds : tuple of str
        Quantity kinds of the :attr:`features` (derived).
    target_column, target_unit, target_kind : str
        Name, unit and kind of the :attr:`target` (derived).
    """

    name: ClassVar[str]
    features: ClassVar[tuple[Column, ...]]
    target: ClassVar[Column]
    feature_columns: ClassVar[tuple[str, ...]]
    feature_units: ClassVar[tuple[str, ...]]
    feature_kinds: ClassVar[tuple[str, ...]]
    target_column: ClassVar[str]
    target_unit: ClassVar[str]
    target_kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Derive the per-part column attributes from the columns the subclass declares."""
        super().__init_subclass__(**kwargs)
        declared = vars(cls)
        if "features" in declared:
            cls.feature_columns = tuple(column.name for column in cls.features)
            cls.feature_units = tuple(column.unit for column in cls.features)
            cls.feature_kinds = tuple(column.kind for column in cls.features)
        if "target" in declared:
            cls.target_column, cls.target_unit, cls.target_kind = cls.target

    @property
    @abstractmethod
    def description(self) -> str:
        """One line saying what the generator simulates."""

    @abstractmethod
    def truth(self, *features: npt.ArrayLike) -> FloatArray:
        """Noise-free target on any grid, arguments in :attr:`feature_units`."""

    @abstractmethod
    def scan(self, seed: int | None = 0) -> UnitTable:
        """A coarse, noisy simulated measurement."""

    @property
    def truth_columns(self) -> tuple[str, ...]:
        """The feature columns followed by the target column."""
        return (*self.feature_columns, self.target_column)

    def truth_table(self, table: UnitTable) -> FloatArray:
        """Noise-free target at the rows of ``table``, in :attr:`target_unit`.

        The feature columns are read from ``table`` by name and converted to
        :attr:`feature_units` (so a field in tesla or a temperature in mK is fine).

        Parameters
        ----------
        table
            A table holding at least the :attr:`feature_columns`.

        Returns
        -------
        numpy.ndarray
            One value per row.
        """
        values = [table.values(column.name, column.unit) for column in self.features]
        return self.truth(*values)

    def _table(
        self,
        columns: Sequence[FloatArray],
        sample: Sample | None,
        seed: int | None,
        extra: Mapping[str, Any] | None = None,
    ) -> UnitTable:
        """Wrap scan columns (features then target) in a :class:`UnitTable`."""
        scan_columns = (*self.features, self.target)
        names = [column.name for column in scan_columns]
        frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
        specs = {column.name: (column.kind, column.unit) for column in scan_columns}
        metadata: dict[str, Any] = {
            "synthetic": True,
            "generator": self.name,
            "class": type(self).__name__,
            "description": self.description,
            "seed": seed,
            "parameters": parameters_of(self),
            "feature_columns": list(self.feature_columns),
            "target_column": self.target_column,
        }
        metadata.update(extra or {})
        return UnitTable(frame, specs, sample=sample, metadata=metadata)


class TemperatureFieldScan(SyntheticGenerator):
    """Base class of the generators that sweep temperature at a set of applied fields.

    Their scans share the feature columns ``T`` (K, temperature) and ``H`` (Oe,
    magnetic_field), in that order; subclasses set :attr:`~SyntheticGenerator.name` and
    :attr:`~SyntheticGenerator.target`.
    """

    features: ClassVar[tuple[Column, ...]] = (
        Column("T", "K", "temperature"),
        Column("H", "Oe", "magnetic_field"),
    )


def parameters_of(generator: object) -> dict[str, Any]:
    """The constructor parameters of a dataclass generator as JSON-friendly values."""
    if not dataclasses.is_dataclass(generator) or isinstance(generator, type):
        return {}
    out: dict[str, Any] = {}
    for item in dataclasses.fields(generator):
        value = getattr(generator, item.name)
        if isinstance(value, tuple | list | np.ndarray):
            value = [float(v) if isinstance(v, int | float | np.number) else v for v in value]
        elif isinstance(value, np.number):
            value = value.item()
        out[item.name] = value
    return out


def grid_columns(outer: npt.ArrayLike, inner: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Flatten a scan that sweeps ``inner`` at each value of ``outer``.

    Returns ``(inner_values, outer_values)`` of length ``len(outer) * len(inner)``, ordered
    as a measurement is: all of ``inner`` at the first ``outer`` value, then the next.
    """
    o = np.asarray(outer, dtype=np.float64).ravel()
    i = np.asarray(inner, dtype=np.float64).ravel()
    return np.tile(i, o.size), np.repeat(o, i.size)
