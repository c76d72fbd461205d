"""Train: features, target, recipe, trials, workers, time budget; a search in the background
with live progress read from its study, Stop and Resume."""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from reanalyze.gui import figures, jobs
from reanalyze.gui.runs import run_entry
from reanalyze.gui.state import Session, Settings, current_session
from reanalyze.gui.views.data import guess_columns
from reanalyze.gui.widgets import escape, gui_words, reported, show_figure, synced_selectbox
from reanalyze.table import UnitTable

__all__ = ["render", "space_overrides"]

#: Refresh of the progress display while a search runs, s.
REFRESH_S = 2.0
_SPACE_FIELDS = (
    ("layers", "hidden layers LOW:HIGH", "e.g. 3:5"),
    ("nodes", "nodes per layer LOW:HIGH", "e.g. 64:160"),
    ("learning_rate", "learning rate LOW:HIGH", "e.g. 1e-3:5e-3"),
    ("activations", "activations", "e.g. silu,tanh"),
    ("max_epochs", "max epochs", "e.g. 500"),
    ("patience", "early-stopping patience, epochs", "e.g. 50"),
)


def space_overrides(texts: dict[str, str]) -> dict[str, Any]:
    """The search-space settings typed in (blank ones keep the recipe's).

    >>> space_overrides({"layers": "1:2", "max_epochs": " 40 ", "nodes": ""})
    {'layers': '1:2', 'max_epochs': 40}
    """
    out: dict[str, Any] = {}
    for name, text in texts.items():
        value = text.strip()
        if value:
            out[name] = int(value) if value.isdigit() else value
    return out


def _default_name(title: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", title.split(" + ")[0].rsplit(".", 1)[0]).strip("-._")
    return f"{stem[:40] or 'run'}-{time.strftime('%Y%m%d-%H%M%S')}"


def _new_search(session: Session, table: UnitTable, kept: dict[str, Any]) -> None:
    from reanalyze.twin.recipes import RECIPES

    numeric = [c for c in table.columns if table.kind(c) != "label"]
    features, target = guess_columns(table)
    cols: Any = st.columns([2, 1])
    chosen = cols[0].multiselect(
        "Features", numeric, default=[f for f in features if f in numeric], key="train.features"
    )
    others = [c for c in numeric if c not in chosen] or numeric
    y = cols[1].selectbox(
        "Target",
        others,
        key="train.target",
        index=others.index(target) if target in others else len(others) - 1,
    )
    cols = st.columns(3)
    recipe = str(
        cols[0].selectbox(
            "Recipe",
            list(RECIPES),
            key="train.recipe",
            format_func=lambda n: f"{n}: {RECIPES[n].description}",
        )
    )
    default = RECIPES[recipe]
    trials = cols[1].number_input(
        "Trials",
        1,
        10_000,
        default.n_trials,
        key=f"train.trials.{recipe}",
        help="finished trials to reach",
    )
    ensemble = cols[2].number_input(
        "Ensemble members", 1, 100, default.ensemble, key=f"train.ensemble.{recipe}"
    )
    cols = st.columns(3)
    workers = cols[0].number_input(
        "Worker processes",
        0,
        64,
        0,
        key="train.workers",
        help="0: one per CPU core (at most 4); the twin does not depend on it",
    )
    minutes = cols[1].number_input(
        "Time budget, min",
        0.0,
        10_000.0,
        0.0,
        step=1.0,
        key="train.minutes",
        help="0: none; no new trials after it",
    )
    seed = cols[2].number_input("Seed", 0, 2**31 - 1, 0, key="train.seed")
    with st.expander("Search space (blank: the recipe's)"):
        space_cols = st.columns(3)
        texts = {
            name: space_cols[i % 3].text_input(label, key=f"train.space.{name}", help=hint)
            for i, (name, label, hint) in enumerate(_SPACE_FIELDS)
        }
    cols = st.columns([2, 1])
    if "train.name" not in st.session_state or st.session_state.pop("train.renew", False):
        st.session_state["train.name"] = _default_name(kept["name"])
    name = cols[0].text_input("Run name (folder under runs/)", key="train.name").strip()
    track = cols[1].checkbox(
        "Log to MLflow", True, key="train.mlflow", help=f"store: {session.settings.tracking_uri}"
    )
    if st.button(
        "Start the search", type="primary", key="train.start", icon=":material/play_arrow:"
    ):
        with reported() as outcome:
            spec = jobs.JobSpec(
                run=name,
                table=kept["path"],
                features=list(chosen),
                target=str(y),
                recipe=recipe,
                n_trials=int(trials),
                workers=int(workers),
                timeout=float(minutes) * 60 if minutes else None,
                ensemble=int(ensemble),
                seed=int(seed),
                overrides=space_overrides(texts),
                tracking_uri=session.settings.tracking_uri if track else None,
                data_name=kept["name"],
            )
            jobs.start_job(session.settings.jobs, session.settings.runs, spec)
        if outcome.ok:
            st.session_state["gui.job"] = name
            st.session_state["train.renew"] = True  # a new default name for the next search
            st.rerun()


def _searches(settings: Settings) -> list[str]:
    if not settings.jobs.is_dir():
        return []
    files = sorted(settings.jobs.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [p.stem for p in files]


def _show_progress(settings: Settings, name: str) -> None:
    job = jobs.job_status(settings.jobs, name)
    if job is None:
        st.warning(f"no record of the search {escape(name)}")
        return
    progress = jobs.study_progress(settings.runs / name)
    running = job.state in jobs.RUNNING
    elapsed = (job.ended or time.time()) - job.started
    label = {
        "starting": "starting",
        "running": "running",
        "finished": "finished",
        "failed": "failed",
        "stopped": "stopped",
    }[job.state]
    st.markdown(f"**{escape(name)}**: {label} ({elapsed:.0f} s)")
    if progress is not None:
        done = progress.complete + progress.pruned
        st.progress(
            min(1.0, done / max(progress.total, 1)),
            text=f"{done} of {progress.total} trials finished",
        )
        cols = st.columns(5)
        cols[0].metric("trained to the end", progress.complete)
        cols[1].metric("stopped early", progress.pruned)
        cols[2].metric("failed", progress.failed)
        cols[3].metric("running", progress.running)
        cols[4].metric(
            "best score",
            "-" if progress.best is None else f"{progress.best:.4f}",
            help="the objective of the recipe (1 − held-out line error − excess "
            "fit error for the default recipe; higher is better)",
        )
        if progress.curves:
            show_figure(figures.learning_figure(progress.curves))
        if progress.trials:
            with st.expander("Trials"):
                st.dataframe(pd.DataFrame(progress.trials), hide_index=True)
    elif running:
        st.caption("reading the data and starting the workers…")
    if job.state == "finished":
        for line in job.lines:
            st.markdown(escape(gui_words(line)))
        st.success(
            f"twin saved in runs/{escape(name)}: validate it or simulate with it.",
            icon=":material/check:",
        )
    elif job.state in ("failed", "stopped") and job.error:
        (st.error if job.state == "failed" else st.warning)(escape(job.error))
    tail = jobs.log_tail(settings.jobs, name)
    if tail and job.state != "finished":
        with st.expander("Log of the search"):
            st.code(tail, language=None)
    _controls(settings, name, job.state)


def _controls(settings: Settings, name: str, state: str) -> None:
    if state in jobs.RUNNING:
        if st.button("Stop", key="train.stop", icon=":material/stop:"):
            with st.spinner("stopping the search…"):
                jobs.stop_job(settings.jobs, name)
            st.rerun()
        return
    entry = run_entry(settings.runs / name)
    resumable = state in ("stopped", "failed") and (entry is None or entry.state == "incomplete")
    resume = resumable and st.button(
        "Resume",
        key="train.resume",
        icon=":material/replay:",
        help="start the same search again: the finished trials are kept",
    )
    if resume:
        with reported() as outcome:
            jobs.resume_job(settings.jobs, settings.runs, name)
        if outcome.ok:
            st.rerun()


def _progress_section(settings: Settings) -> None:
    names = _searches(settings)
    if not names:
        return
    st.subheader("Searches")
    name = synced_selectbox("Search", names, "train.search", "gui.job")
    job = jobs.job_status(settings.jobs, name)
    live = job is not None and job.state in jobs.RUNNING

    @st.fragment(run_every=REFRESH_S if live else None)
    def progress() -> None:
        _show_progress(settings, name)
        now = jobs.job_status(settings.jobs, name)
        if live and (now is None or now.state not in jobs.RUNNING):
            if now is not None and now.state == "finished":
                st.session_state["gui.run"] = name
            st.rerun()  # the search ended: redraw the page without the refresh

    progress()


def render() -> None:
    """The Train page."""
    session = current_session()
    st.title("Train")
    kept = st.session_state.get("gui.table")
    if kept is None:
        st.info("Load a table on the Data page first.")
    else:
        with reported() as outcome:
            table = UnitTable.read_parquet(kept["path"])
        if outcome.ok:
            st.caption(
                f"table: {escape(kept['name'])}, {len(table)} rows, "
                f"{len(np.unique(table.columns))} columns"
            )
            _new_search(session, table, kept)
    _progress_section(session.settings)
