"""Runs: the working folder's run folders with their headline numbers, and the MLflow UI."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reanalyze.gui.jobs import job_status
from reanalyze.gui.mlflow_ui import mlflow_url, start_mlflow, stop_mlflow
from reanalyze.gui.runs import headline, list_runs
from reanalyze.gui.state import current_session
from reanalyze.gui.widgets import escape, gui_words, reported, synced_selectbox

__all__ = ["render"]


def _mlflow(tracking_uri: str) -> None:
    st.subheader("MLflow")
    st.caption(
        f"tracking store: `{tracking_uri}`: every search, its trials, validations and "
        "properties; the UI compares them"
    )
    url = mlflow_url()
    start = url is None and st.button(
        "Start the MLflow UI", key="runs.mlflow.start", icon=":material/launch:"
    )
    if start:
        with reported(), st.spinner("starting the MLflow UI (up to a minute)…"):
            url = start_mlflow(tracking_uri)
    if url is not None:
        cols = st.columns(2)
        cols[0].link_button("Open the MLflow UI", url, icon=":material/open_in_new:")
        if cols[1].button("Stop the MLflow UI", key="runs.mlflow.stop", icon=":material/stop:"):
            stop_mlflow()
            st.rerun()
        st.caption(f"served at {url} (on this machine only)")


def render() -> None:
    """The Runs page."""
    from reanalyze.twin.verdict import search_sentence

    session = current_session()
    settings = session.settings
    st.title("Runs")
    st.caption(f"run folders in `{settings.runs}`")
    entries = list_runs(settings.runs)
    if not entries:
        st.info("No runs yet: train a twin on the Train page.")
    else:
        rows = [headline(e) for e in entries]
        for row in rows:  # a table uploaded to a search of the GUI is named as uploaded
            job = job_status(settings.jobs, row["run"])
            if not row["data"] and job is not None:
                row["data"] = job.spec.data_name
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="runs.table")
        names = [e.name for e in entries]
        name = synced_selectbox("Run", names, "runs.pick", "gui.run")
        entry = entries[names.index(name)]
        if entry.state == "complete":
            for line in search_sentence(entry.summary):
                st.markdown(escape(gui_words(line)))
            st.caption("The Validate, Simulate, Property and Plan pages use this twin.")
        else:
            st.warning(
                f"{escape(entry.name)} is {entry.state}: its twin is not saved yet "
                "(see the Train page to follow or resume its search)."
            )
    _mlflow(settings.tracking_uri)
