"""Simulate: the measurement on a grid of one's choice, with the twin's ensemble spread.

The grid is edited axis by axis with units; a grid outside the training ranges is refused
with the library's reason (:func:`reanalyze.twin.simulate.simulate`) unless extrapolation is
allowed, which flags the points. Maps of the mean and the spread, lines with bands against
the measured lines, and the table for download as CSV and Parquet with units.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from reanalyze.gui import figures
from reanalyze.gui.runs import RunEntry
from reanalyze.gui.state import current_session
from reanalyze.gui.widgets import (
    download_files,
    escape,
    grid_editor,
    picked_twin,
    reported,
    show_figure,
    write_table,
)
from reanalyze.numbers import range_at_precision
from reanalyze.table import UnitTable
from reanalyze.units import pretty_unit

__all__ = ["axes_of", "render"]


def axes_of(table: UnitTable, features: list[str], slow: str | None) -> tuple[str, str | None]:
    """The fast axis (x of the line plots) and the slow axis (one line per value).

    The slow axis is the twin's (the feature with the fewest measured values) when the grid
    has more than one feature; the fast axis the feature with the most grid values.
    """
    if len(features) == 1:
        return features[0], None
    counts = {f: len(np.unique(table.values(f))) for f in features}
    if slow not in features:
        slow = min(features, key=lambda f: counts[f])
    fast = max((f for f in features if f != slow), key=lambda f: counts[f])
    return fast, slow


def _measured(entry: RunEntry) -> UnitTable | None:
    from reanalyze.twin.search import TRAINING_FILE

    path = entry.path / TRAINING_FILE
    if not path.is_file():
        return None
    with reported() as outcome:
        table = UnitTable.read_parquet(path)
    return table if outcome.ok else None


def _show(result: dict[str, Any], entry: RunEntry, bundle: Any) -> None:
    table: UnitTable = result["table"]
    target = bundle.target
    for note in table.metadata.get("notes", []):
        st.warning(escape(str(note)))
    spread = f"{target}_std"  # the range to the precision of the ensemble's typical spread
    low, high = range_at_precision(
        table.values(target), table.values(spread) if spread in table.columns else None
    )
    st.markdown(
        f"**{len(table)} points**: {escape(target)} {escape(low)} … {escape(high)} "
        f"{escape(pretty_unit(table.unit(target)))}"
    )
    fast, slow = axes_of(table, list(bundle.features), bundle.summary.get("slow_axis"))
    if slow is not None and len(bundle.features) == 2:
        maps = figures.map_figures(table, fast, slow, target)
        cols = st.columns(len(maps)) if maps else []
        for col, fig in zip(cols, maps, strict=True):
            with col:
                show_figure(fig)
    chosen = None
    if slow is not None:
        distinct = np.unique(table.values(slow))
        default = figures.pick_lines(distinct, 6)
        unit = pretty_unit(table.unit(slow))
        chosen = st.multiselect(
            f"Lines at {slow}",
            list(distinct),
            default=list(default),
            key="simulate.lines",
            format_func=lambda v: f"{v:g} {unit}",
        )
    show_figure(figures.lines_figure(table, fast, slow, target, _measured(entry), chosen))
    with st.expander("The table"):
        frame = table.data.head(500).copy()
        frame.columns = table.headers()
        st.dataframe(frame, hide_index=True)
    download_files({k: Path(v) for k, v in result["files"].items()}, "simulate.download")


def render() -> None:
    """The Simulate page."""
    from reanalyze.twin.simulate import simulate

    session = current_session()
    st.title("Simulate")
    picked = picked_twin(session, "simulate.run")
    if picked is None:
        return
    entry, bundle = picked
    ranges = ", ".join(
        f"{f} {bundle.ranges[f][0]:g}…{bundle.ranges[f][1]:g} {pretty_unit(bundle.units[f])}"
        for f in bundle.features
    )
    st.caption(
        escape(
            f"{', '.join(bundle.features)} → {bundle.target} "
            f"({pretty_unit(bundle.units[bundle.target])}); trained on {ranges}; "
            f"{len(bundle.members)} ensemble member(s)"
        )
    )
    specs = grid_editor(bundle, "simulate.grid")
    cols = st.columns(2)
    extrapolate = cols[0].checkbox(
        "Allow points outside the training ranges (flagged)", key="simulate.extrapolate"
    )
    members = cols[1].checkbox(
        "Every member's prediction in the table (for property bands)", True, key="simulate.members"
    )
    if st.button("Simulate", type="primary", key="simulate.start", icon=":material/grid_on:"):
        with reported() as outcome:
            table = simulate(bundle, specs, allow_extrapolation=extrapolate, members=members)
            table = table.with_metadata(source=f"runs/{entry.name}", grid=specs)
            files = write_table(table, session.new_output("simulation"), "simulation")
        if outcome.ok:
            st.session_state["simulate.result"] = {
                "run": entry.name,
                "specs": specs,
                "table": table,
                "files": {k: str(v) for k, v in files.items()},
            }
        else:
            st.session_state.pop("simulate.result", None)
    result = st.session_state.get("simulate.result")
    if result is not None and result["run"] == entry.name:
        _show(result, entry, bundle)
