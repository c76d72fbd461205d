"""The property-plugin interface: what a plugin declares, what it returns, how it is run.

A property plugin turns a table (measured, or simulated by a twin) into a derived physical
quantity. It declares

* ``name`` and ``description``;
* ``requires``: the *roles* it needs and the quantity kinds each accepts, e.g.
  ``temperature`` ← ``temperature``, ``moment`` ← ``magnetic_moment`` or ``magnetization``;
* ``Params``: a pydantic model of its parameters (with units in the field descriptions);
* ``compute(table, params)``: the calculation. ``table`` holds exactly the required roles as
  columns named after the roles, in the input's own units (convert with
  ``table.values(role, unit)``); it returns a :class:`PropertyResult`;
* ``figures(result, params)`` (optional): matplotlib figures of a result. Tables of an
  ensemble result carry ``<column>_std`` columns; figures draw them as bands.

:meth:`PropertyPlugin.run` does the rest: matches the input's columns to the roles by their
quantity kinds, validates the parameters, and — when the input is a twin's simulation with
ensemble members — computes the property once per member and reports mean ± std.

Examples
--------
A minimal plugin (see ``docs/writing-a-property-plugin.md`` for a packaged one):

>>> import numpy as np, pandas as pd
>>> from pydantic import BaseModel, Field
>>> from reanalyze.table import UnitTable
>>> from reanalyze.properties.base import PropertyPlugin, PropertyResult, Requirement, Summary
>>> class MeanTemperature(PropertyPlugin):
...     name = "mean_temperature"
...     description = "Mean temperature of the table."
...     requires = (Requirement("temperature", ("temperature",)),)
...     class Params(BaseModel):
...         unit: str = Field("K", description="Unit of the result.")
...     def compute(self, table, params):
...         value = float(np.mean(table.values("temperature", params.unit)))
...         return PropertyResult(summary={"mean": Summary(value, params.unit)})
>>> table = UnitTable(pd.DataFrame({"T": [10.0, 20.0]}), {"T": ("temperature", "K")})
>>> MeanTemperature().run(table, {"unit": "degC"}).summary["mean"].value
-258.15
"""

from __future__ import annotations

import json
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from reanalyze.errors import ColumnError, PluginError, validation_message
from reanalyze.numbers import value_pm
from reanalyze.outputs import output_action, publish_folder
from reanalyze.properties.results import write_property
from reanalyze.table import ColumnSpec, UnitTable
from reanalyze.units import KINDS
from reanalyze.wording import option

__all__ = [
    "ENSEMBLE_KEY",
    "Curve",
    "PropertyPlugin",
    "PropertyResult",
    "Requirement",
    "Summary",
    "aggregate_results",
    "match_columns",
    "parse_params",
]

#: Metadata key of a simulated table that lists its ensemble-member columns:
#: ``{"target": "M", "std": "M_std", "members": ["M_m0", "M_m1", ...]}``.
ENSEMBLE_KEY = "ensemble"


@dataclass(frozen=True)
class Requirement:
    """A role a plugin needs, and the quantity kinds that can fill it.

    Attributes
    ----------
    role
        Column name the plugin sees, e.g. ``"temperature"``.
    kinds
        Accepted quantity kinds (keys of :data:`reanalyze.units.KINDS`), in preference order.
    description
        One line for ``reanalyze property list``.
    """

    role: str
    kinds: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Summary:
    """A scalar result with its unit and, for ensembles, its standard deviation.

    Attributes
    ----------
    value
        The number (the ensemble mean for ensembles); NaN when it could not be determined.
    unit
        pint unit string (``""`` for dimensionless).
    std
        Standard deviation over ensemble members (``None`` for a single input).
    description
        What the number is.
    """

    value: float
    unit: str = ""
    std: float | None = None
    description: str = ""

    def __str__(self) -> str:
        """``value ± std unit`` rounded to the std (:func:`reanalyze.numbers.value_pm`)."""
        return value_pm(self.value, self.std, self.unit)

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly dict (NaN becomes ``None``)."""

        def clean(x: float | None) -> float | None:
            return None if x is None or not np.isfinite(x) else float(x)

        return {
            "value": clean(self.value),
            "std": clean(self.std),
            "unit": self.unit,
            "description": self.description,
        }


@dataclass(frozen=True)
class Curve:
    """The one curve of a result that the planner compares between candidate grids.

    Attributes
    ----------
    x, y
        Abscissa and value (for ensembles: the mean), same length, x increasing.
    x_name, x_unit, y_name, y_unit
        Labels and units (e.g. ``"T"``, ``"K"``, ``"−ΔS_M"``, ``"J/(kg*K)"``).
    std
        Ensemble standard deviation of ``y`` (``None`` for a single input).
    """

    x: np.ndarray
    y: np.ndarray
    x_name: str
    x_unit: str
    y_name: str
    y_unit: str
    std: np.ndarray | None = None


@dataclass
class PropertyResult:
    """What a property plugin returns.

    Attributes
    ----------
    tables
        Result tables with units, by name (e.g. ``"delta_s_m"``).
    summary
        Scalar results with units, by name (e.g. ``"delta_s_max_5T"``).
    figures
        matplotlib figures by name (filled by :meth:`PropertyPlugin.run`).
    notes
        Statements a user should read (assumptions made, criteria met, warnings).
    members
        Number of ensemble members the result was computed from (1: a single input).
    """

    tables: dict[str, UnitTable] = field(default_factory=dict)
    summary: dict[str, Summary] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    members: int = 1

    def summary_json(self) -> dict[str, Any]:
        """The summary and notes as a JSON-friendly dict (schema: ``properties/results.py``)."""
        return {
            "summary": {k: v.to_json() for k, v in self.summary.items()},
            "notes": list(self.notes),
            "members": self.members,
        }

    def save(
        self,
        folder: str | Path,
        *,
        plugin: str = "",
        extra: Mapping[str, Any] | None = None,
        inputs: Sequence[str | Path] = (),
        overwrite: bool = False,
        option: str = "output folder",
    ) -> Path:
        """Write ``tables/*.csv``, ``summary.json`` and ``figures/*.png`` into ``folder``.

        Everything is written to a temporary folder first, so an error leaves nothing
        half-written. ``folder`` must be new, empty or a previous property result; a
        non-empty folder reanalyze did not write is refused unless ``overwrite`` (then only
        these files are replaced); the current folder, a run folder and a folder holding one
        of ``inputs`` are always refused (:func:`reanalyze.outputs.output_action`).
        """
        root = Path(folder)
        action = output_action(root, "property", inputs=inputs, overwrite=overwrite, option=option)
        with publish_folder(root, "property", action) as tmp:
            (tmp / "tables").mkdir()
            for name, table in self.tables.items():
                table.to_csv(tmp / "tables" / f"{name}.csv")
            if self.figures:
                (tmp / "figures").mkdir()
                for name, figure in self.figures.items():
                    figure.savefig(tmp / "figures" / f"{name}.png", dpi=120, bbox_inches="tight")
            write_property(tmp, {"property": plugin, **dict(extra or {}), **self.summary_json()})
        return root

    def close_figures(self) -> None:
        """Drop the figures (releases their memory)."""
        self.figures.clear()


class PropertyPlugin(ABC):
    """Base class of property plugins (see the module docstring).

    Subclasses set :attr:`name`, :attr:`description`, :attr:`requires` and :attr:`Params`
    and implement :meth:`compute`; :meth:`figures` is optional. Instances hold no state, so
    one instance can run any number of tables.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    requires: ClassVar[tuple[Requirement, ...]]
    Params: ClassVar[type[BaseModel]]

    @abstractmethod
    def compute(self, table: UnitTable, params: Any) -> PropertyResult:
        """Compute the property from ``table`` (columns named after the roles)."""

    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        """matplotlib figures of ``result`` (default: none).

        Build them with :class:`matplotlib.figure.Figure` (not ``pyplot``), label every
        axis with its unit, and draw ``<column>_std`` as a band when present.
        """
        return {}

    def convergence_curve(self, result: PropertyResult, params: Any) -> Curve | None:
        """The curve ``reanalyze plan`` compares between step sizes (default: none).

        Return the property as a function of one variable (e.g. −ΔS_M(T) for the largest
        field change), with its ensemble std; the planner interpolates the candidates onto
        the finest one and measures RMS deviation, oscillation and peak error.
        """
        return None

    @classmethod
    def example_table(cls) -> UnitTable | None:
        """A small input table this plugin accepts (used by the conformance check and docs).

        Plugins should return one (from a synthetic generator, say); ``None`` means the
        conformance check needs a table passed to it.
        """
        return None

    # ------------------------------------------------------------------ running
    def run(
        self,
        table: UnitTable,
        params: BaseModel | Mapping[str, Any] | None = None,
        *,
        columns: Mapping[str, str] | None = None,
        members: bool = True,
        figures: bool = True,
    ) -> PropertyResult:
        """Match columns, validate parameters, compute (per ensemble member) and plot.

        Parameters
        ----------
        table
            Measured or simulated table.
        params
            A ``Params`` instance or a mapping of parameter values (strings are parsed).
        columns
            ``{role: column}`` overrides of the automatic matching.
        members
            Use the ensemble members of a simulated table (mean ± std); ``False`` computes on
            the table's target column only.
        figures
            Make the figures.

        Raises
        ------
        ColumnError
            No column of a required kind, or an override names an unknown column.
        PluginError
            Invalid parameters.
        """
        p = parse_params(self, params)
        mapping, notes = match_columns(table, self.requires, columns)
        ensemble = table.metadata.get(ENSEMBLE_KEY) if members else None
        member_columns: list[str] = []
        role_of_target = None
        if isinstance(ensemble, Mapping):
            target = ensemble.get("target")
            for role, column in mapping.items():
                if column == target:
                    role_of_target = role
            candidates = [str(c) for c in ensemble.get("members", []) if c in table.columns]
            if role_of_target is not None and len(candidates) > 1:
                member_columns = candidates
        central = self.compute(_role_table(table, mapping), p)
        if member_columns:
            assert role_of_target is not None
            results = [
                self.compute(_role_table(table, {**mapping, role_of_target: col}), p)
                for col in member_columns
            ]
            result = aggregate_results(results, central)
            result.notes.insert(
                0,
                f"mean ± std over {len(member_columns)} ensemble members of the twin "
                f"(column {ensemble['target']!r})",  # type: ignore[index]
            )
        else:
            result = central
        result.notes[:0] = notes
        if figures:
            result.figures = dict(self.figures(result, p))
        return result


# ---------------------------------------------------------------------- helpers
def parse_params(plugin: PropertyPlugin | type[PropertyPlugin], params: Any) -> BaseModel:
    """Validate ``params`` (a Params instance, a mapping, or ``None``) into ``plugin.Params``.

    Values given as strings (from ``--param k=v``) are parsed as JSON where they can be
    (``3``, ``true``, ``[1, 2]``) and kept as strings otherwise; a comma-separated string is
    accepted for list parameters.

    Raises
    ------
    PluginError
        Unknown parameter or invalid value, naming the parameter.
    """
    model = plugin.Params
    if isinstance(params, model):
        return params
    raw = dict(params or {})
    fields = model.model_fields
    unknown = [k for k in raw if k not in fields]
    if unknown:
        raise PluginError(
            f"property {plugin.name!r}: unknown parameter {unknown[0]!r} "
            f"(known: {', '.join(fields) or 'none'})"
        )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = _parse_value(value, fields[key].annotation)
        values[key] = value
    try:
        return model(**values)
    except ValidationError as exc:
        message = validation_message(exc)
        raise PluginError(f"property {plugin.name!r}: parameter {message}") from None


def _parse_value(text: str, annotation: Any) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    wants_list = "list" in str(annotation) or "tuple" in str(annotation)
    if wants_list and isinstance(value, str) and "," in value:
        return [_parse_value(part.strip(), None) for part in value.split(",")]
    if wants_list and isinstance(value, int | float) and not isinstance(value, bool):
        return [value]
    return value


def match_columns(
    table: UnitTable,
    requires: Sequence[Requirement],
    overrides: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """Match the table's columns to the plugin's roles by quantity kind.

    Overrides (``{role: column}``, from ``--column ROLE=NAME``; a kind name is accepted in
    place of a role name) come first. The remaining roles take, in order, the unused column
    of an accepted kind named like the role, or else the first one, preferring the table's
    declared features and target (registry datasets and simulated grids declare them).
    Ensemble-member, ``*_std`` and extrapolation-flag columns are never matched automatically.

    Returns
    -------
    mapping, notes
        ``{role: column}`` and notes about ambiguous choices.

    Raises
    ------
    ColumnError
        An override names an unknown role or column, a column has the wrong kind, or no
        column has a kind a role needs.
    """
    roles = {r.role: r for r in requires}
    mapping: dict[str, str] = {}
    for key, column in (overrides or {}).items():
        role = key
        if key not in roles:
            by_kind = [r.role for r in requires if key in r.kinds]
            if len(by_kind) != 1:
                raise ColumnError(
                    f"column mapping {key}={column}: unknown role {key!r} "
                    f"(roles: {', '.join(roles) or 'none'})"
                )
            role = by_kind[0]
        if column not in table.columns:
            raise ColumnError(
                f"column mapping {key}={column}: unknown column {column!r} "
                f"(columns: {', '.join(table.columns)})"
            )
        kind = table.kind(column)
        if kind not in roles[role].kinds and kind != "dimensionless":
            raise ColumnError(
                f"column mapping {key}={column}: column {column!r} is {kind}, but {role!r} needs "
                f"{' or '.join(roles[role].kinds)}"
            )
        mapping[role] = column
    meta = table.metadata
    excluded: set[str] = set()
    ensemble = meta.get(ENSEMBLE_KEY)
    if isinstance(ensemble, Mapping):
        excluded |= {str(c) for c in ensemble.get("members", [])}
        excluded |= {str(ensemble.get("std", ""))}
    excluded |= {c for c in table.columns if c.endswith("_std") or c == "extrapolated"}
    declared = [str(c) for c in [*meta.get("features", []), *meta.get("targets", [])]]
    order = [c for c in declared if c in table.columns] + [
        c for c in table.columns if c not in declared
    ]
    notes: list[str] = []
    for requirement in requires:
        if requirement.role in mapping:
            continue
        used = set(mapping.values())
        candidates = [
            c
            for kind in requirement.kinds
            for c in order
            if table.kind(c) == kind and c not in used and c not in excluded
        ]
        if not candidates:
            raise ColumnError(
                f"no column for {requirement.role!r}: it needs a column of kind "
                f"{' or '.join(requirement.kinds)} (columns: "
                + ", ".join(f"{c} [{table.kind(c)}]" for c in table.columns)
                + f"); give one with {option('columns', requirement.role, 'NAME')} or its unit "
                f"with {option('units', 'COLUMN', 'UNIT')}"
            )
        named = [c for c in candidates if c.lower() == requirement.role.lower()]
        if named:  # a column named like the role is that role
            mapping[requirement.role] = named[0]
            continue
        mapping[requirement.role] = candidates[0]
        others = [c for c in candidates[1:] if table.kind(c) == table.kind(candidates[0])]
        if others:
            notes.append(
                f"{requirement.role!r} is column {candidates[0]!r} (also possible: "
                f"{', '.join(map(repr, others))}; choose with "
                f"{option('columns', requirement.role, 'NAME')})"
            )
    return mapping, notes


def _role_table(table: UnitTable, mapping: Mapping[str, str]) -> UnitTable:
    """``table`` reduced to the mapped columns, renamed to their roles."""
    frame = table.data  # one copy, not one per role
    data = pd.DataFrame({role: frame[column] for role, column in mapping.items()})
    specs = {}
    for role, column in mapping.items():
        spec = table.schema.columns[column]
        specs[role] = ColumnSpec(kind=spec.kind, unit=spec.unit, description=column)
    return UnitTable(data, specs, sample=table.sample, metadata=table.metadata)


_STD_SUFFIX = "_std"


def aggregate_results(
    results: Sequence[PropertyResult], central: PropertyResult | None = None
) -> PropertyResult:
    """Mean ± std over per-member results.

    Table columns that are equal in every member (grid coordinates) are kept as they are;
    every other numeric column becomes its mean over members (NaN-aware) with a
    ``<column>_std`` column beside it. Summaries become mean with ``std``. Notes come from
    ``central`` (the result on the ensemble mean) or else the first member.

    Raises
    ------
    PluginError
        The members' tables differ in shape or columns (a plugin must return the same
        layout for every member).
    """
    if not results:
        raise PluginError("no results to aggregate")
    first = results[0]
    tables: dict[str, UnitTable] = {}
    for name, table in first.tables.items():
        stack = []
        for r in results:
            other = r.tables.get(name)
            if other is None or other.columns != table.columns or len(other) != len(table):
                raise PluginError(
                    f"table {name!r} differs between ensemble members: a plugin must return "
                    "the same rows and columns for every member"
                )
            stack.append(other)
        data = table.data
        specs = dict(table.schema.columns)
        out_cols: dict[str, Any] = {}
        out_specs: dict[str, ColumnSpec] = {}
        for col in table.columns:
            spec = specs[col]
            if spec.kind == "label":
                out_cols[col] = data[col]
                out_specs[col] = spec
                continue
            values = np.vstack([t.values(col) for t in stack])
            same = np.allclose(values, values[0], rtol=1e-12, atol=0, equal_nan=True)
            if same:
                out_cols[col] = values[0]
                out_specs[col] = spec
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                out_cols[col] = np.nanmean(values, axis=0)
                std = np.nanstd(values, axis=0, ddof=1)
            out_specs[col] = spec
            out_cols[col + _STD_SUFFIX] = std
            out_specs[col + _STD_SUFFIX] = ColumnSpec(
                kind=spec.kind if spec.kind in KINDS else "other",
                unit=spec.unit,
                description=f"std over ensemble members of {col}",
            )
        tables[name] = UnitTable(
            pd.DataFrame(out_cols),
            out_specs,
            sample=table.sample,
            metadata={**table.metadata, "members": len(results)},
        )
    summary: dict[str, Summary] = {}
    for key, item in first.summary.items():
        values = np.array([r.summary[key].value if key in r.summary else np.nan for r in results])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = float(np.nanmean(values))
            std = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else np.nan
        summary[key] = replace(item, value=mean, std=std)
    base = central or first
    notes = list(base.notes)
    failed = {
        key: int(
            np.sum([not np.isfinite(r.summary[key].value) for r in results if key in r.summary])
        )
        for key in first.summary
    }
    for key, count in failed.items():
        if 0 < count < len(results):
            notes.append(f"{key}: undetermined in {count} of {len(results)} members")
    return PropertyResult(tables=tables, summary=summary, notes=notes, members=len(results))


def std_column(table: UnitTable, column: str) -> np.ndarray | None:
    """The ``<column>_std`` values of an ensemble result table, or ``None``."""
    name = column + _STD_SUFFIX
    return table.values(name) if name in table.columns else None
