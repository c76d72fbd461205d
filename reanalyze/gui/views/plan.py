"""Plan: which step of a scan axis is fine enough for a property, and what it costs on an
instrument (:class:`reanalyze.planning.Plan`); the step/cost/error table, the recommended
step and its hours, the figures, the plan folder for download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from reanalyze.gui.state import current_session
from reanalyze.gui.widgets import (
    download,
    download_folder,
    escape,
    image_grid,
    nice_step,
    params_editor,
    picked_twin,
    reported,
)
from reanalyze.units import pretty_unit

__all__ = ["default_steps", "plan_frame", "recommendation", "render"]

NO_COST = "(none: no cost)"


def default_steps(lo: float, hi: float, unit: str) -> str:
    """Four candidate steps over ``lo…hi``, coarse to fine, with their unit.

    >>> default_steps(0.01, 5.0, "T")
    '1T,0.5T,0.2T,0.1T'
    """
    steps = sorted({nice_step(hi - lo, n) for n in (5, 10, 25, 50)}, reverse=True)
    return ",".join(f"{s:g}{unit}" for s in steps)


def _digits(value: float | None, significant: int) -> float | None:
    """``value`` to ``significant`` digits (as the command line prints it)."""
    return None if value is None else float(f"{value:.{significant}g}")


def plan_frame(plan: Any) -> pd.DataFrame:
    """The plan's rows with units in the column names (``plan.json`` → a table).

    Numbers are rounded as ``reanalyze plan`` prints them (deviations in % to 2 decimals,
    the peak centre to 4 significant digits, the spread to 3); a plan without an instrument
    has no hours and days columns.
    """
    q = plan.quantity
    unit, qu, xu = (
        pretty_unit(u) for u in (plan.axis_unit, q.get("unit", ""), q.get("x_unit", ""))
    )
    priced = any(row.hours is not None for row in plan.rows)
    rows = []
    for i, row in enumerate(plan.rows):
        cells: dict[str, Any] = {
            f"{plan.axis} step ({unit})": row.step,
            "recommended": "←" if i == plan.recommended else "",
            "lines": row.lines,
            "points": row.points,
        }
        if priced:
            cells["hours (h)"] = None if row.hours is None else round(row.hours, 1)
            cells["days (day)"] = None if row.days is None else round(row.days, 2)
        for name, value in (("RMS deviation (%)", row.rms_rel),
                            ("error of the maximum (%)", row.peak_rel_error)):  # fmt: skip
            cells[name] = None if value is None else round(100 * value, 2)
        cells[f"peak centre ({xu})"] = _digits(row.peak_position, 4)
        cells[f"ensemble spread ({qu})"] = _digits(row.spread, 3)
        cells["meets the tolerance"] = bool(row.meets)
        rows.append(cells)
    return pd.DataFrame(rows)


def recommendation(plan: Any) -> str:
    """The recommended step and its instrument time, in words."""
    if plan.recommended is None:
        return "no candidate but the finest meets the tolerance: add finer steps"
    row = plan.rows[plan.recommended]
    text = f"recommended {plan.axis} step: {row.step:g} {pretty_unit(row.unit)}"
    if row.hours is not None:
        name = (plan.instrument or {}).get("description") or (plan.instrument or {}).get("name")
        text += f" — about {row.hours:.1f} h" + (f" on {name}" if name else "")
    return text


def _show(folder: Path) -> None:
    from reanalyze.planning import read_plan

    with reported() as outcome:
        plan = read_plan(folder)
    if not outcome.ok:
        return
    (st.success if plan.recommended is not None else st.warning)(escape(recommendation(plan)))
    st.dataframe(plan_frame(plan), hide_index=True, key="plan.table")
    st.markdown(escape(plan.verdict))
    for note in plan.notes:
        st.info(escape(note), icon=":material/info:")
    image_grid(sorted((folder / "figures").glob("*.png")))
    left, right = st.columns(2)
    download_folder(left, "Download the plan folder (zip)", folder, "plan.zip", "plan.zip")
    table = folder / "tables" / "plan.csv"
    if table.is_file():
        label = "Download the table (CSV with units)"
        download(right, label, table.read_bytes(), "plan.csv", "text/csv", "plan.csv")


def render() -> None:
    """The Plan page."""
    from reanalyze.instruments import load_instruments
    from reanalyze.planning import Plan
    from reanalyze.plugins import load_all

    session = current_session()
    st.title("Plan")
    st.caption(
        "For each candidate step the twin simulates the scan, the property is computed "
        "and compared with the finest step's, and the scan is priced on an instrument."
    )
    picked = picked_twin(session, "plan.run")
    if picked is None:
        return
    entry, bundle = picked
    with reported() as outcome:
        instruments = load_instruments()
    if not outcome.ok:
        return
    plugins = load_all("reanalyze.properties")
    cols = st.columns(3)
    name = str(cols[0].selectbox("Property", list(plugins), key="plan.plugin"))
    slow = bundle.summary.get("slow_axis")
    features = list(bundle.features)
    axis = str(
        cols[1].selectbox(
            "Axis whose step is planned",
            features,
            key="plan.axis",
            index=features.index(slow) if slow in features else 0,
        )
    )
    choices = [NO_COST, *instruments]
    instrument = cols[2].selectbox(
        "Instrument profile",
        choices,
        key="plan.instrument",
        format_func=lambda n: n if n == NO_COST else f"{n}: {instruments[n].description}",
    )
    lo, hi = bundle.ranges[axis]
    unit = bundle.units[axis]
    cols = st.columns(3)
    steps = cols[0].text_input(
        "Candidate steps (with units, comma separated)",
        default_steps(lo, hi, unit),
        key=f"plan.steps.{axis}",
    )
    span = (
        cols[1]
        .text_input(
            f"Range of {axis} LO:HI (blank: the training range)",
            key=f"plan.range.{axis}",
            help=f"training range {lo:g}…{hi:g} {unit}",
        )
        .strip()
    )
    fixed = (
        cols[2]
        .text_input("Other axes (blank: as measured)", key="plan.fixed", help="e.g. T=10:60:0.2K")
        .strip()
    )
    with st.expander(f"Parameters of {name}"):
        params = params_editor(plugins[name], f"plan.params.{name}")
    if st.button("Plan", type="primary", key="plan.start", icon=":material/event_note:"):
        with reported() as outcome, st.status("planning…") as status:
            bounds = None
            if span:
                low, _, high = span.partition(":")
                bounds = (low.strip(), high.strip())
            plan = Plan(
                str(entry.path),
                name,
                axis,
                [s.strip() for s in steps.split(",") if s.strip()],
                span=bounds,
                fixed=[fixed] if fixed else (),
                instrument=None if instrument == NO_COST else instrument,
                params=params,
            )
            plan.run(progress=status.write)
            folder = session.new_output("plan")
            plan.result_.save(folder, option="plan folder")
            status.update(label="planned", state="complete")
        if outcome.ok:
            st.session_state["plan.result"] = {"folder": str(folder), "run": entry.name}
        else:
            st.session_state.pop("plan.result", None)
    result = st.session_state.get("plan.result")
    if result is not None and result["run"] == entry.name:
        _show(Path(result["folder"]))
