"""Shared pieces of the synthetic generators: the generator base class and scan grids.

Every generator of :mod:`reanalyze.synthetic` derives from :class:`SyntheticGenerator`. It
names its scan's feature columns (with their units) and target column, evaluates the
noise-free :meth:`~SyntheticGenerator.truth` on any grid, and simulates a coarse measurement
with :meth:`~SyntheticGenerator.scan`. :meth:`~SyntheticGenerator.truth_table` evaluates the
truth on the feature columns of any :class:`~reanalyze.table.UnitTable`, converting units.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from reanalyze.table import Sample, UnitTable

__all__ = ["FloatArray", "SyntheticGenerator", "grid_columns", "parameters_of"]

FloatArray = npt.NDArray[np.float64]


class SyntheticGenerator(ABC):
    """Base class of the synthetic measurement generators.

    Subclasses set the class attributes below and implement :meth:`truth`, :meth:`scan` and
    :attr:`description`.

    Attributes
    ----------
    name : str
        Short identifier of the generator family, e.g. ``"bean_rodbell"``.
    feature_columns : tuple of str
        Names of the scan's input columns, in the order :meth:`truth` takes them.
    feature_units : tuple of str
        Units of the feature columns in the scan (and of :meth:`truth`'s arguments).
    feature_kinds : tuple of str
        Quantity kinds of the feature columns.
    target_column, target_unit, target_kind : str
        Name, unit and kind of the measured column.
    """

    name: ClassVar[str]
    feature_columns: ClassVar[tuple[str, ...]]
    feature_units: ClassVar[tuple[str, ...]]
    feature_kinds: ClassVar[tuple[str, ...]]
    target_column: ClassVar[str]
    target_unit: ClassVar[str]
    target_kind: ClassVar[str]

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
        features = [
            table.values(name, unit)
            for name, unit in zip(self.feature_columns, self.feature_units, strict=True)
        ]
        return self.truth(*features)

    def _table(
        self,
        columns: Sequence[FloatArray],
        sample: Sample | None,
        seed: int | None,
        extra: Mapping[str, Any] | None = None,
    ) -> UnitTable:
        """Wrap scan columns (features then target) in a :class:`UnitTable`."""
        names = self.truth_columns
        kinds = (*self.feature_kinds, self.target_kind)
        units = (*self.feature_units, self.target_unit)
        frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
        specs = {n: (k, u) for n, k, u in zip(names, kinds, units, strict=True)}
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
