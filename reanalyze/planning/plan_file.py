"""``PLAN/plan.json``: the schema, its writer (:meth:`PlanResult.save`) and its reader.

``reanalyze plan`` writes the file with :func:`write_plan` and ``reanalyze report`` reads it
with :func:`read_plan`; both go through :class:`PlanFile`, so what is written is what is read
(see docs/reports.md for the contract).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reanalyze.errors import DataError
from reanalyze.outputs import read_output_file, write_output_file

__all__ = ["PLAN_FILE", "PlanFile", "PlanRow", "read_plan", "write_plan"]

#: The plan's file in its folder.
PLAN_FILE = "plan.json"


class PlanRow(BaseModel):
    """One candidate step of a plan (``plan.json`` → ``rows``)."""

    model_config = ConfigDict(extra="allow")

    step: float = Field(description="Candidate step of the planned axis, in ``unit``.")
    unit: str = Field("", description="Unit of ``step``.")
    lines: int | None = Field(None, description="Scan lines the plan measures.")
    points: int | None = Field(None, description="Points the plan measures.")
    hours: float | None = Field(None, description="Instrument time, h.")
    days: float | None = Field(None, description="Instrument time, days.")
    rms: float | None = Field(None, description="RMS deviation from the finest, quantity unit.")
    rms_rel: float | None = Field(None, description="``rms`` relative (fraction, not %).")
    tv_ratio: float | None = Field(None, description="Total variation / the finest's (ratio).")
    peak: float | None = Field(None, description="Peak of the quantity, quantity unit.")
    peak_error: float | None = Field(None, description="Peak minus the finest's, quantity unit.")
    peak_rel_error: float | None = Field(None, description="``peak_error`` relative (fraction).")
    peak_position: float | None = Field(None, description="Position of the peak, x unit.")
    peak_position_error: float | None = Field(None, description="Its error, x unit.")
    spread: float | None = Field(None, description="Ensemble spread, quantity unit.")
    meets: bool | None = Field(None, description="Whether the step meets the tolerance.")


class PlanFile(BaseModel):
    """``PLAN/plan.json`` written by ``reanalyze plan`` (see docs/reports.md)."""

    model_config = ConfigDict(extra="allow")

    property: str = Field(description="Plugin name.")
    run: str = Field("", description="The twin's run folder.")
    axis: str = Field(description="The axis whose step is planned.")
    axis_unit: str = Field("", description="Unit of the axis and its steps.")
    range: list[float] | None = Field(None, description="Planned range of the axis, axis unit.")
    fixed_axes: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="The other axes: start, stop, step, unit."
    )
    quantity: dict[str, Any] = Field(
        default_factory=dict, description="Compared quantity: name, unit, x, x_unit, label."
    )
    instrument: dict[str, Any] | None = Field(None, description="Instrument profile.")
    tolerance: dict[str, float | None] = Field(
        default_factory=dict, description="Tolerances (fractions; peak_position in x unit)."
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Plugin parameters.")
    rows: list[PlanRow] = Field(description="Candidate steps, finest last.")
    recommended: int | None = Field(None, description="Index of the recommended row.")
    verdict: str = Field("", description="One paragraph.")
    notes: list[str] = Field(default_factory=list, description="Statements to read.")


def write_plan(folder: str | Path, data: Mapping[str, Any]) -> PlanFile:
    """Validate ``data`` as a :class:`PlanFile` and write ``folder/plan.json`` atomically.

    ``folder`` is the temporary folder of :func:`reanalyze.outputs.publish_folder`.
    """
    return write_output_file(Path(folder) / PLAN_FILE, data, PlanFile)


def read_plan(folder: str | Path) -> PlanFile:
    """Validate a plan folder's ``plan.json``.

    Raises
    ------
    DataError
        No folder, no ``plan.json``, one that is not a plan, or a recommended row that does
        not exist.
    """
    plan = read_output_file(folder, PLAN_FILE, PlanFile, what="plan", noun="plan")
    if plan.recommended is not None and not 0 <= plan.recommended < len(plan.rows):
        raise DataError(
            f"{Path(folder) / PLAN_FILE}: recommended row {plan.recommended} does not exist "
            f"({len(plan.rows)} rows)"
        )
    return plan
