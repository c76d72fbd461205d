"""Property: any installed property plugin, of a twin on a grid or of the measured table;
its parameters from the plugin's ``Params``; the summary, figures with bands, and the result
folder as a zip (:func:`reanalyze.workflows.compute_property`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from reanalyze.gui.state import current_session
from reanalyze.gui.widgets import (
    download_folder,
    escape,
    grid_editor,
    image_grid,
    params_editor,
    picked_twin,
    reported,
)
from reanalyze.units import pretty_unit

__all__ = ["render", "summary_frame"]

TWIN = "the twin, simulated on a grid"
TABLE = "the table of the Data page (measured)"


def summary_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """``summary.json``'s quantities: value, ensemble spread, unit, description."""
    rows = [
        {
            "quantity": key,
            "value": item.get("value"),
            "± (ensemble std)": item.get("std"),
            "unit": pretty_unit(item.get("unit", "")),
            "description": item.get("description", ""),
        }
        for key, item in summary.items()
    ]
    return pd.DataFrame(rows)


def _show(folder: Path) -> None:
    from reanalyze.properties.results import read_property

    with reported() as outcome:
        result = read_property(folder)
    if not outcome.ok:
        return
    data = result.model_dump(mode="json")
    st.dataframe(summary_frame(data.get("summary") or {}), hide_index=True, key="property.table")
    for note in data.get("notes") or []:
        st.info(escape(str(note)), icon=":material/info:")
    image_grid(sorted((folder / "figures").glob("*.png")))
    name = data.get("property") or "property"
    download_folder(st, "Download the result folder (zip)", folder, f"{name}.zip", "property.zip")


def render() -> None:
    """The Property page."""
    from reanalyze.plugins import load_all
    from reanalyze.twin.tracking import tracking_record
    from reanalyze.workflows import compute_property

    session = current_session()
    st.title("Property")
    plugins = load_all("reanalyze.properties")
    if not plugins:
        st.error("No property plugin is installed.")
        return
    name = str(
        st.selectbox(
            "Property plugin",
            list(plugins),
            key="property.plugin",
            format_func=lambda n: f"{n}: {plugins[n].description}",
        )
    )
    plugin = plugins[name]
    st.caption(
        "needs: " + escape("; ".join(f"{r.role} ({' or '.join(r.kinds)})" for r in plugin.requires))
    )
    source = st.radio("Of", [TWIN, TABLE], horizontal=True, key="property.source")
    inputs: list[str] = []
    specs: list[str] | None = None
    extrapolate = False
    logged = False
    if source == TWIN:
        picked = picked_twin(session, "property.run")
        if picked is None:
            return
        entry, bundle = picked
        specs = grid_editor(bundle, "property.grid")
        extrapolate = st.checkbox(
            "Allow points outside the training ranges", key="property.extrapolate"
        )
        inputs = [str(entry.path)]
        logged = tracking_record(entry.path) is not None
    else:
        kept = st.session_state.get("gui.table")
        if kept is None:
            st.info("Load a table on the Data page first.")
            return
        st.caption(f"table: {escape(kept['name'])}")
        inputs = [kept["path"]]
    st.subheader("Parameters")
    params = params_editor(plugin, f"property.params.{name}")
    if st.button("Compute", type="primary", key="property.start", icon=":material/functions:"):
        out = session.new_output(f"property-{name}")
        notes: list[str] = []
        with reported() as outcome, st.spinner(f"computing {name}…"):
            run = compute_property(
                name,
                inputs,
                out,
                params=params,
                grid=specs,
                allow_extrapolation=extrapolate,
                log_to_mlflow=logged,
                option="result folder",
                note=notes.append,
            )
        if outcome.ok:
            st.session_state["property.result"] = {
                "folder": str(run.folder),
                "plugin": name,
                "notes": notes,
            }
        else:
            st.session_state.pop("property.result", None)
    result = st.session_state.get("property.result")
    if result is not None and result["plugin"] == name:
        for note in result["notes"]:
            st.caption(escape(note))
        _show(Path(result["folder"]))
