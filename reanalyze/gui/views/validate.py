"""Validate: hold out scan lines, retrain, predict them; compare the twin with linear, PCHIP,
RBF and a Gaussian process (:func:`reanalyze.validation.workflow.validate`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from reanalyze.gui.state import current_session
from reanalyze.gui.widgets import download_folder, escape, image_grid, reported, run_picker
from reanalyze.units import pretty_unit

__all__ = ["methods_frame", "render"]


def methods_frame(validation: Any) -> pd.DataFrame:
    """One row per method, best first: error per line range, RMSE and max error (units)."""
    unit = pretty_unit(validation.unit) or "dimensionless"
    rows = [
        {
            "method": m.method,
            "error / line range (%)": 100 * m.rel_rmse,
            f"RMSE ({unit})": m.rmse,
            f"max error ({unit})": m.max_error,
            "time (s)": m.wall_s,
            "problem": m.error or "",
        }
        for m in sorted(validation.methods, key=lambda m: m.rel_rmse)
    ]
    return pd.DataFrame(rows)


def _show(folder: Path) -> None:
    from reanalyze.validation.result import TWIN, Validation

    with reported() as outcome:
        validation = Validation.read(folder)
    if not outcome.ok:
        return
    verdict = validation.verdict()
    twin, best = validation.method(TWIN), validation.best_classic()
    beaten = twin is not None and best is not None and best.rel_rmse < twin.rel_rmse
    (st.warning if beaten else st.success)(escape(verdict))
    st.dataframe(methods_frame(validation), hide_index=True, key="validate.table")
    for note in validation.notes:
        st.info(escape(note), icon=":material/info:")
    images = sorted(folder.glob("*.png"))
    if images:
        st.subheader("Held-out lines")
        image_grid(images)
    download_folder(
        st,
        "Download the validation folder (zip)",
        folder,
        f"{folder.parent.name}-validation.zip",
        "validate.zip",
    )


def render() -> None:
    """The Validate page."""
    from reanalyze.twin.tracking import tracking_record
    from reanalyze.validation.classic import CLASSIC_METHODS
    from reanalyze.validation.workflow import validate
    from reanalyze.validation.write import VALIDATION_FOLDER

    session = current_session()
    st.title("Validate")
    st.caption(
        "Every interior scan line held out in turn, the twin retrained without it, "
        "against classic interpolation on the same lines."
    )
    entry = run_picker(session, "validate.run")
    if entry is None:
        return
    cols = st.columns(3)
    methods = cols[0].multiselect(
        "Classic methods",
        list(CLASSIC_METHODS),
        default=list(CLASSIC_METHODS),
        key="validate.methods",
    )
    folds = cols[1].number_input("Folds (0: each interior line)", 0, 100, 0, key="validate.folds")
    workers = cols[2].number_input(
        "Worker processes (0: one per core)", 0, 64, 0, key="validate.workers"
    )
    folder = entry.path / VALIDATION_FOLDER
    if st.button("Validate", type="primary", key="validate.start", icon=":material/rule:"):
        bar = st.progress(0.0, text="retraining the members…")

        def trained(done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=f"{done} of {total} members retrained")

        with reported() as outcome, st.spinner("validating…"):
            validate(
                [str(entry.path)],
                methods=methods,
                n_folds=int(folds) or None,
                workers=int(workers),
                log_to_mlflow=tracking_record(entry.path) is not None,
                progress=trained,
                option="validation folder",
            )
        bar.empty()
        if not outcome.ok:
            return
    if (folder / "validation.json").is_file():
        _show(folder)
    else:
        st.caption("Not validated yet.")
