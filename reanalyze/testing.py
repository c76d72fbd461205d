"""Conformance checks for plugin authors: run them in your own test suite.

>>> from reanalyze.testing import check_property_plugin
>>> from reanalyze.properties.base import PropertyPlugin
>>> # check_property_plugin(MyPlugin)                     # uses MyPlugin.example_table()
>>> # check_property_plugin(MyPlugin, table, {"k": 1})    # or a table and parameters of yours

The check raises :class:`AssertionError` with a message saying what to fix. It verifies the
declaration (name, description, roles and their quantity kinds, a pydantic ``Params`` whose
fields all have defaults or are given, and descriptions), then runs the plugin the way
``reanalyze property run`` does: on the table, on the table with its columns renamed and
converted to other units, and on a three-member ensemble built from it. It checks that results
are :class:`~reanalyze.properties.base.PropertyResult` objects with unit-carrying tables and
summaries, that the input table is not modified, that two runs give the same numbers, that
the ensemble result has the member layout with ``_std`` columns, that every figure is a
matplotlib ``Figure`` whose axes have labels, and that the result can be saved.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.table import UnitTable
from reanalyze.units import KINDS, convert, parse_unit

__all__ = [
    "LOADER_CHECKS",
    "PROPERTY_CHECKS",
    "check_loader",
    "check_property_plugin",
    "parametrize_with_checks",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: Alternative units used to check that a plugin converts its inputs (kind → unit).
_OTHER_UNITS = {
    "temperature": "mK",
    "magnetic_field": "T",
    "magnetic_moment": "A*m**2",
    "magnetization": "A*m**2/kg",
    "resistance": "mohm",
    "resistivity": "ohm*m",
    "angle": "rad",
    "time": "min",
    "energy": "meV",
}


def _contract(group: str, cls: type) -> None:
    """The contract discovery enforces (:func:`reanalyze.plugins.check_plugin`), as an assert."""
    from reanalyze.plugins import check_plugin

    problem = check_plugin(group, cls)  # type: ignore[arg-type]
    assert problem is None, problem


def _named(cls: type) -> None:
    """Stricter than discovery: a lower_case identifier name and a non-empty description."""
    name = getattr(cls, "name", None)
    assert isinstance(name, str) and _NAME.match(name), (
        f"{cls.__name__}.name must be a lower_case identifier, got {name!r}"
    )
    description = getattr(cls, "description", None)
    assert isinstance(description, str) and description.strip(), (
        f"{cls.__name__}.description must be a non-empty string"
    )


def _declaration(cls: type) -> None:
    _contract("reanalyze.properties", cls)
    _named(cls)
    assert cls.requires, f"{cls.__name__}.requires must be a non-empty tuple of Requirement"  # type: ignore[attr-defined]
    for field_name, info in cls.Params.model_fields.items():  # type: ignore[attr-defined]
        assert info.description, (
            f"{cls.__name__}.Params.{field_name} needs a description (with its unit)"
        )
    plugin = cls()
    assert vars(plugin) == {}, f"{cls.__name__}() must not hold state (found {vars(plugin)})"


def _input(cls: type, table: UnitTable | None) -> UnitTable:
    if table is None:
        table = cls().example_table()
        assert table is not None, (
            f"{cls.__name__}.example_table() returned None: implement it or pass a table"
        )
    assert isinstance(table, UnitTable), "the input must be a reanalyze.table.UnitTable"
    return table


def check_declaration(cls: type, table: UnitTable | None = None, **options: Any) -> None:
    """Name, description, roles with known kinds, a described ``Params``, no instance state."""
    _declaration(cls)


@dataclass(frozen=True)
class _Case:
    """A plugin class, the table it runs on and the options every run check shares."""

    cls: type
    given: UnitTable | None  # the table passed to the check; None: ``cls.example_table()``
    params: Mapping[str, Any] | None
    columns: Mapping[str, str] | None
    rtol: float

    @cached_property
    def table(self) -> UnitTable:
        """The input: the given table, or the plugin's example (asked for at first use)."""
        return _input(self.cls, self.given)

    @property
    def owner(self) -> str:
        """The plugin class's name, for messages."""
        return self.cls.__name__

    def run(
        self,
        table: UnitTable | None = None,
        columns: Mapping[str, str] | None = None,
        *,
        figures: bool = True,
    ) -> Any:
        """A fresh plugin instance's result on ``table`` (default: the case's table and
        columns)."""
        if table is None:
            table, columns = self.table, self.columns
        return self.cls().run(table, self.params, columns=columns, figures=figures)


def _run_check(body: Callable[[_Case], None]) -> Callable[..., None]:
    """A check of :data:`PROPERTY_CHECKS` that runs the plugin, from its ``body``.

    The check takes ``(cls, table=None, params=None, *, columns=None, rtol=1e-6,
    **options)`` like every check; ``table`` defaults to ``cls.example_table()``.
    """

    def check(
        cls: type,
        table: UnitTable | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        columns: Mapping[str, str] | None = None,
        rtol: float = 1e-6,
        **options: Any,
    ) -> None:
        body(_Case(cls, table, params, columns, rtol))

    check.__name__ = check.__qualname__ = body.__name__
    check.__doc__ = body.__doc__
    check.body = body  # type: ignore[attr-defined]  # what check_property_plugin runs
    return check


@_run_check
def check_result(case: _Case) -> None:
    """One run: a result with unit-carrying tables and summaries, labelled figures, the input
    left unmodified, and a result that saves."""
    from reanalyze.properties.base import PropertyResult, Summary

    before = case.table.data
    result = case.run()
    assert case.table.data.equals(before), f"{case.owner} modified its input table"
    _check_result(case.owner, result, PropertyResult, Summary)
    assert result.tables or result.summary, f"{case.owner} returned neither tables nor summary"
    with tempfile.TemporaryDirectory() as tmp:
        folder = result.save(Path(tmp) / "out", plugin=case.cls.name)  # type: ignore[attr-defined]
        assert (folder / "summary.json").is_file()


@_run_check
def check_repeatable(case: _Case) -> None:
    """Two runs on the same input give the same numbers."""
    first, again = case.run(figures=False), case.run(figures=False)
    _assert_same(case.owner, first, again, rtol=1e-12, what="a second run")


@_run_check
def check_units(case: _Case) -> None:
    """The same data renamed and converted to other units give the same numbers (``rtol``)."""
    result = case.run(figures=False)
    converted = _converted(case.table, case.columns, case.cls.requires)  # type: ignore[attr-defined]
    if converted is not None:
        rerun = case.run(*converted, figures=False)
        _assert_same(case.owner, result, rerun, rtol=case.rtol, what="the input in other units")


@_run_check
def check_ensemble(case: _Case) -> None:
    """A three-member ensemble gives the member layout: the same tables, a std per number."""
    from reanalyze.properties.base import PropertyResult, Summary

    result = case.run(figures=False)
    ensemble = _ensemble(case.table, case.columns, case.cls.requires)  # type: ignore[attr-defined]
    if ensemble is None:
        return
    aggregated = case.run(*ensemble)
    assert aggregated.members == 3, (
        f"{case.owner}: the ensemble run used {aggregated.members} members, not 3"
    )
    _check_result(case.owner, aggregated, PropertyResult, Summary)
    assert set(aggregated.tables) == set(result.tables), (
        f"{case.owner}: the ensemble run returned different tables"
    )
    for key, item in aggregated.summary.items():
        if math.isfinite(item.value):
            assert item.std is not None, f"{case.owner}: summary {key!r} has no std"


#: The checks of :func:`check_property_plugin`, in order; each takes the plugin class and the
#: same keyword arguments.
PROPERTY_CHECKS: tuple[Callable[..., None], ...] = (
    check_declaration,
    check_result,
    check_repeatable,
    check_units,
    check_ensemble,
)


@_run_check
def check_property_plugin(case: _Case) -> None:
    """Check that ``cls`` is a well-behaved property plugin (every check of
    :data:`PROPERTY_CHECKS`).

    Parameters
    ----------
    cls
        The plugin class (a subclass of
        :class:`reanalyze.properties.base.PropertyPlugin`).
    table
        An input the plugin accepts; default ``cls.example_table()``.
    params
        Parameter values for the runs (default: the plugin's defaults).
    columns
        ``{role: column}`` overrides, if the table needs them.
    rtol
        Relative tolerance when comparing the run on converted units with the original.

    Raises
    ------
    AssertionError
        What is wrong, in one sentence.
    """
    _declaration(case.cls)
    for check in PROPERTY_CHECKS[1:]:
        check.body(case)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ loaders
def check_loader_declaration(cls: type, sample: Path | None = None, **options: Any) -> None:
    """A :class:`~reanalyze.loaders.base.Loader` subclass with a name, a description, lower-case
    dotted suffixes and no instance state."""
    _contract("reanalyze.loaders", cls)
    _named(cls)
    assert all(s.startswith(".") and s == s.lower() for s in cls.suffixes), (  # type: ignore[attr-defined]
        f"{cls.__name__}.suffixes must be a tuple of lower-case suffixes like '.csv'"
    )
    loader = cls()
    assert vars(loader) == {}, f"{cls.__name__}() must not hold state (found {vars(loader)})"


def check_loader_reads(cls: type, sample: Path | None = None, **options: Any) -> None:
    """The sample loads (twice, equal) into a table whose every column has a known kind and a
    unit pint parses; :meth:`sniff` recognizes it."""
    assert sample is not None, f"{cls.__name__}: give a sample file the loader reads"
    loader = cls()
    head = sample.read_bytes()[:4096].decode("utf-8", errors="replace")
    assert loader.sniff(sample, head) is True, f"{cls.__name__}.sniff does not accept its sample"
    table = loader.load(sample, **options)
    assert isinstance(table, UnitTable) and len(table) > 0, (
        f"{cls.__name__}.load must return a non-empty UnitTable"
    )
    for column in table.columns:
        assert table.kind(column) in KINDS, f"{cls.__name__}: column {column!r} has no known kind"
        if table.kind(column) != "label":
            parse_unit(table.unit(column) or "dimensionless")
    again = loader.load(sample, **options)
    assert again.data.equals(table.data), f"{cls.__name__}: two loads of one file differ"


def check_loader_refuses(cls: type, sample: Path | None = None, **options: Any) -> None:
    """A missing file, an empty file and binary garbage (with the sample's suffix) are refused
    with a one-line :class:`~reanalyze.errors.ReanalyzeError` naming the file."""
    from reanalyze.errors import ReanalyzeError

    suffix = sample.suffix if sample is not None else ".dat"
    loader = cls()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"empty{suffix}").write_bytes(b"")
        (folder / f"garbage{suffix}").write_bytes(bytes(range(256)) * 16)
        for name in (f"missing{suffix}", f"empty{suffix}", f"garbage{suffix}"):
            path = folder / name
            try:
                loader.load(path, **options)
            except ReanalyzeError as exc:
                message = str(exc)
                assert "\n" not in message and name in message, (
                    f"{cls.__name__}: the error for {name} must be one line naming the file, "
                    f"got {message!r}"
                )
            except Exception as exc:
                raise AssertionError(
                    f"{cls.__name__}: {name} raised {type(exc).__name__} ({exc}), not a "
                    "one-line ReanalyzeError"
                ) from None
            else:
                raise AssertionError(f"{cls.__name__}: {name} loaded instead of being refused")


#: The checks of :func:`check_loader`, in order.
LOADER_CHECKS: tuple[Callable[..., None], ...] = (
    check_loader_declaration,
    check_loader_reads,
    check_loader_refuses,
)


def check_loader(cls: type, sample: Path, **options: Any) -> None:
    """Check that ``cls`` is a well-behaved file loader (every check of :data:`LOADER_CHECKS`).

    Parameters
    ----------
    cls
        The loader class (a subclass of :class:`reanalyze.loaders.base.Loader`).
    sample
        A file the loader reads.
    **options
        Loader options for the sample.

    Raises
    ------
    AssertionError
        What is wrong, in one sentence.
    """
    for check in LOADER_CHECKS:
        check(cls, sample, **options)


# ------------------------------------------------------------------ parametrize
def parametrize_with_checks(
    plugins: Iterable[type], checks: Sequence[Callable[..., None]] | None = None
) -> Any:
    """A ``pytest.mark.parametrize`` over every (plugin, check) pair, one test each.

    ``checks`` defaults to :data:`PROPERTY_CHECKS` (or :data:`LOADER_CHECKS` for loader
    classes). The test receives ``plugin`` and ``check`` and calls ``check(plugin, ...)``;
    the test ids read ``<plugin name>-<check>``, so a failure names both — the model is
    scikit-learn's ``parametrize_with_checks``.

    Examples
    --------
    >>> from reanalyze.plugins import load_all
    >>> mark = parametrize_with_checks(load_all("reanalyze.properties").values())
    >>> mark.name, mark.args[0]
    ('parametrize', ('plugin', 'check'))
    """
    import pytest

    from reanalyze.loaders.base import Loader

    pairs: list[tuple[type, Callable[..., None]]] = []
    for cls in plugins:
        chosen = checks or (LOADER_CHECKS if issubclass(cls, Loader) else PROPERTY_CHECKS)
        pairs.extend((cls, check) for check in chosen)
    ids = [f"{getattr(cls, 'name', cls.__name__)}-{check.__name__}" for cls, check in pairs]
    return pytest.mark.parametrize(("plugin", "check"), pairs, ids=ids)


def _check_result(owner: str, result: Any, result_type: Any, summary_type: Any) -> None:
    from matplotlib.figure import Figure

    assert isinstance(result, result_type), f"{owner}.compute must return a PropertyResult"
    for key, table in result.tables.items():
        assert isinstance(table, UnitTable), f"{owner}: table {key!r} is not a UnitTable"
        assert re.match(r"^[\w.-]+$", key), f"{owner}: table name {key!r} is not file-safe"
        for column in table.columns:
            if table.kind(column) != "label":
                parse_unit(table.unit(column) or "dimensionless")
    for key, item in result.summary.items():
        assert isinstance(item, summary_type), f"{owner}: summary {key!r} is not a Summary"
        assert isinstance(item.value, float | int), f"{owner}: summary {key!r} is not a number"
        parse_unit(item.unit or "dimensionless")
    for key, figure in result.figures.items():
        assert isinstance(figure, Figure), f"{owner}: figure {key!r} is not a matplotlib Figure"
        axes = [
            ax
            for ax in figure.axes
            if ax.get_visible() and ax.has_data() and not hasattr(ax, "_colorbar")
        ]
        assert axes, f"{owner}: figure {key!r} has no plotted data"
        for ax in axes:
            assert ax.get_xlabel() and ax.get_ylabel(), (
                f"{owner}: figure {key!r} has an axis without a label (labels carry units)"
            )


def _assert_same(owner: str, a: Any, b: Any, *, rtol: float, what: str) -> None:
    assert set(a.summary) == set(b.summary), f"{owner}: summary keys change with {what}"
    for key, item in a.summary.items():
        other = b.summary[key]
        x = _in_unit(other.value, other.unit, item.unit)
        assert _close(item.value, x, rtol), (
            f"{owner}: summary {key!r} is {item.value} {item.unit} but {x} with {what}"
        )
    assert set(a.tables) == set(b.tables), f"{owner}: tables change with {what}"
    for key, table in a.tables.items():
        other = b.tables[key]
        assert len(other) == len(table), f"{owner}: table {key!r} changes length with {what}"
        for column in table.columns:
            if table.kind(column) == "label" or column not in other.columns:
                continue
            values = other.values(column, table.unit(column) or None)
            assert _close(table.values(column), values, rtol), (
                f"{owner}: table {key!r} column {column!r} changes with {what}"
            )


def _in_unit(value: float, unit: str, target: str) -> float:
    if unit == target or not np.isfinite(value):
        return value
    return float(convert(value, unit or "dimensionless", target or "dimensionless"))


def _close(a: Any, b: Any, rtol: float) -> bool:
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape:
        return False
    scale = np.nanmax(np.abs(x)) if np.isfinite(x).any() else 0.0
    return bool(np.allclose(x, y, rtol=rtol, atol=rtol * scale, equal_nan=True))


def _matched(table: UnitTable, columns: Mapping[str, str] | None, requires: Any) -> dict[str, str]:
    from reanalyze.properties.base import match_columns

    return match_columns(table, requires, columns)[0]


def _converted(
    table: UnitTable, columns: Mapping[str, str] | None, requires: Any
) -> tuple[UnitTable, dict[str, str]] | None:
    """The table with its matched columns renamed and converted to other units."""
    mapping = _matched(table, columns, requires)
    units = {}
    for column in mapping.values():
        unit = _OTHER_UNITS.get(table.kind(column))
        if unit is not None and unit != table.unit(column):
            units[column] = unit
    renamed = {column: f"{column}_converted" for column in mapping.values()}
    meta = table.metadata
    meta.pop("ensemble", None)
    for key in ("features", "targets"):
        if key in meta:
            meta[key] = [renamed.get(c, c) for c in meta[key]]
    other = table.select(list(mapping.values())).convert(**units).with_metadata(**meta)
    other = other.rename(renamed)
    return other, {role: renamed[column] for role, column in mapping.items()}


def _ensemble(
    table: UnitTable, columns: Mapping[str, str] | None, requires: Any
) -> tuple[UnitTable, dict[str, str]] | None:
    """A three-member ensemble on the last role's column (the target, by convention)."""
    mapping = _matched(table, columns, requires)
    role, column = list(mapping.items())[-1]
    values = table.values(column)
    spread = np.nanstd(values) if np.isfinite(values).any() else 0.0
    if not np.isfinite(spread) or spread == 0:
        return None
    rng = np.random.default_rng(0)
    kind, unit = table.kind(column), table.unit(column)
    names = [f"{column}_m{i}" for i in range(3)]
    other = table.select(list(mapping.values()))
    for name, scale in zip(names, (0.99, 1.0, 1.01), strict=True):
        noise = 1e-3 * spread * rng.standard_normal(len(values))
        other = other.with_column(name, values * scale + noise, kind, unit)
    other = other.with_metadata(ensemble={"target": column, "members": names})
    return other, {**mapping, role: column}
