"""Data: upload files or pick a registry dataset; columns, kinds and units; sample mass; the
loader's notes; a plot of the scan lines.

The table shown is the one the Train and Property pages use: it is kept in the session as
Parquet with its units (:meth:`reanalyze.table.UnitTable.to_parquet`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from reanalyze.errors import DataError
from reanalyze.gui import figures
from reanalyze.gui.state import UPLOAD_SUFFIXES, Session, StoredFile, current_session, store_upload
from reanalyze.gui.widgets import escape, reported, show_figure
from reanalyze.table import Sample, UnitTable

__all__ = ["render"]

AUTO = "recognized from the file"
SOURCE_COLUMN = "source_file"
#: Loaded tables kept per session (the last few option sets), so reruns do not reload.
CACHE_SIZE = 4


def _cached(key: tuple[Any, ...], load: Any) -> UnitTable:
    cache: dict[tuple[Any, ...], UnitTable] = st.session_state.setdefault("data.cache", {})
    if key not in cache:
        cache[key] = load()
        while len(cache) > CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return cache[key]


def _uploaded(session: Session) -> list[StoredFile]:
    limit = session.settings.max_upload_mb
    files = st.file_uploader(
        "Data files",
        type=[s.lstrip(".") for s in UPLOAD_SUFFIXES],
        accept_multiple_files=True,
        key="data.files",
        help=f"CSV/TSV with units in the headers, Quantum Design .dat (one file per field), "
        f"WebPlotDigitizer CSV/JSON, or Parquet written by reanalyze; at most {limit} MB each.",
    )
    stored: dict[str, StoredFile] = st.session_state.setdefault("data.stored", {})
    saved = []
    for file in files or []:
        if file.file_id not in stored:
            with reported() as outcome:
                stored[file.file_id] = store_upload(session, file.name, file.getvalue())
            if not outcome.ok:
                continue
        saved.append(stored[file.file_id])
    return saved


def _file_options(saved: list[StoredFile]) -> dict[str, Any]:
    from reanalyze.plugins import list_plugins

    options: dict[str, Any] = {}
    cols = st.columns(3)
    loader = cols[0].selectbox(
        "Loader", [AUTO, *list_plugins("reanalyze.loaders")], key="data.loader"
    )
    if loader != AUTO:
        options["loader"] = loader
    if len(saved) > 1:
        slow = (
            cols[1]
            .text_input(
                "Slow axis (column constant in each file)",
                key="data.slow_axis",
                help="e.g. Magnetic Field: each file's set point is taken from its data",
            )
            .strip()
        )
        values = (
            cols[2]
            .text_input(
                "or its value per file, in file order",
                key="data.values",
                help="e.g. 0.1 T, 1 T, 2 T (then the slow axis above names the new column)",
            )
            .strip()
        )
        if slow:
            options["slow_axis"] = slow
        if values:
            options["slow_values"] = [v.strip() for v in values.split(",") if v.strip()]
    picked = st.text_input(
        "Columns to load",
        key="data.columns",
        placeholder="the loader's choice",
        help="The file's column names, separated by ';', e.g. Temperature (K); Magnetic "
        "Field (Oe); DC Moment Free Ctr (emu)",
    )
    names = [name.strip() for name in picked.split(";") if name.strip()]
    if names:
        options["columns"] = names
    own = st.text_area(
        "Loader options",
        key="data.loader_options",
        height=68,
        placeholder="KEY=VALUE, one per line",
        help="The loader's own options, e.g. moment_column=DC Moment Free Ctr, series_unit=T, "
        "series_values.1=1 T, x=T (K)",
    )
    lines = tuple(line.strip() for line in own.splitlines() if line.strip())
    if lines:
        options["own"] = lines
    return options


def _load_files(saved: list[StoredFile], options: dict[str, Any], units: dict[str, str]) -> Any:
    from reanalyze.load import load, loader_options

    opts = dict(options)
    loader = opts.pop("loader", None)
    opts |= loader_options(opts.pop("own", ()))
    if units:
        opts["units"] = units
    paths = [str(f.path) for f in saved]
    source: str | list[str] = paths[0] if len(paths) == 1 and "slow_axis" not in opts else paths
    table = load(source, loader=loader, **opts)
    names = {f.path.name: f.display for f in saved}
    if SOURCE_COLUMN in table.columns:  # the files' own names, not the generated ones
        labels = [names.get(v, v) for v in table.labels(SOURCE_COLUMN)]
        table = table.with_column(SOURCE_COLUMN, labels, "label", "")
    notes = [_rename(n, saved) for n in table.metadata.get("notes", [])]
    return table.with_metadata(source=[f.display for f in saved], notes=notes)


def _rename(text: str, saved: list[StoredFile]) -> str:
    for f in saved:
        text = text.replace(str(f.path), f.display).replace(f.path.name, f.display)
    return text


def _unit_overrides(table: UnitTable, fixed: set[str]) -> dict[str, str]:
    """Unit widgets for the file's columns; the units changed from what the file says."""
    changed: dict[str, str] = {}
    with st.expander("Units of the columns (override what the file says)"):
        cols = st.columns(4)
        for i, name in enumerate(c for c in table.columns if c not in fixed):
            unit = cols[i % 4].text_input(name, table.unit(name), key=f"data.unit.{name}")
            if unit.strip() and unit.strip() != table.unit(name):
                changed[name] = unit.strip()
    return changed


def _from_uploads(session: Session) -> tuple[UnitTable | None, dict[str, str], str, Any]:
    saved = _uploaded(session)
    if not saved:
        st.info("Upload one or more files to start, or choose a registry dataset.")
        return None, {}, "", None
    names = {str(f.path): f.display for f in saved} | {f.path.name: f.display for f in saved}
    options = _file_options(saved)
    ids = tuple(str(f.path) for f in saved)
    frozen = tuple(sorted((k, str(v)) for k, v in options.items()))
    with reported(names) as outcome:
        raw = _cached((ids, frozen, ()), lambda: _load_files(saved, options, {}))
    if not outcome.ok:
        return None, names, "", None
    labels = {c for c in raw.columns if raw.kind(c) == "label"}
    added = {str(options.get("slow_axis", ""))} if "slow_values" in options else set()
    units = _unit_overrides(raw, labels | added)
    table = raw
    key = (ids, frozen, tuple(sorted(units.items())))
    if units:
        with reported(names) as outcome:
            table = _cached(key, lambda: _load_files(saved, options, units))
        if not outcome.ok:
            return None, names, "", None
    title = saved[0].display + (f" + {len(saved) - 1} more" if len(saved) > 1 else "")
    return table, names, title, key


def _from_registry() -> tuple[UnitTable | None, dict[str, str], str, Any]:
    from reanalyze.load import load
    from reanalyze.registry import load_registry

    datasets = load_registry().datasets
    name = st.selectbox(
        "Dataset",
        list(datasets),
        index=None,
        key="data.dataset",
        format_func=lambda n: f"{n}: {datasets[n].title}",
        placeholder="choose a dataset",
    )
    if name is None:
        return None, {}, "", None
    with reported() as outcome:
        table = _cached(("registry", name), lambda: load(str(name)))
    if not outcome.ok:
        return None, {}, "", None
    st.caption(
        "Registry datasets carry their units; download and checksum as `reanalyze data "
        "fetch` does (offline once the cache is seeded)."
    )
    return table, {}, str(name), ("registry", name)


def _with_mass(table: UnitTable) -> tuple[UnitTable, str]:
    """The table with the sample mass typed in (if any), and that text."""
    from reanalyze.units import check_kind, parse_quantity

    sample = table.sample or Sample()
    shown = f"{sample.mass:g} {sample.mass_unit}" if sample.mass is not None else ""
    text = st.text_input(
        "Sample mass",
        shown,
        key="data.mass",
        help="with its unit, e.g. 0.61 mg; used to normalize the moment "
        "by mass (magnetocaloric ΔS_M)",
    ).strip()
    if not text or text == shown:
        return table, shown
    with reported() as outcome:
        magnitude, unit = parse_quantity(text, where="sample mass")
        check_kind(unit, "mass", where="sample mass")
        if not unit or not magnitude > 0:
            raise DataError(
                f"sample mass {text!r}: expected a positive mass with a unit, e.g. 0.61 mg"
            )
        table = table.with_sample(sample.model_copy(update={"mass": magnitude, "mass_unit": unit}))
    return table, text if outcome.ok else shown


def columns_frame(table: UnitTable) -> pd.DataFrame:
    """One row per column: kind, unit, range and distinct values."""
    rows: list[dict[str, Any]] = []
    for name in table.columns:
        if table.kind(name) == "label":
            rows.append(
                {
                    "column": name,
                    "kind": "label",
                    "unit": "",
                    "min": None,
                    "max": None,
                    "distinct": len(set(table.labels(name))),
                }
            )
            continue
        values = table.values(name)
        rows.append(
            {
                "column": name,
                "kind": table.kind(name),
                "unit": table.unit(name),
                "min": float(np.nanmin(values)),
                "max": float(np.nanmax(values)),
                "distinct": len(np.unique(values)),
            }
        )
    return pd.DataFrame(rows)


def guess_columns(table: UnitTable) -> tuple[list[str], str | None]:
    """Features and target: the dataset's (registry) or guessed from the column kinds."""
    from reanalyze.twin.data import default_columns

    meta = table.metadata
    features = [f for f in meta.get("features") or [] if f in table.columns]
    target = next((t for t in meta.get("targets") or [] if t in table.columns), None)
    if features and target:
        return features, target
    guess = default_columns(table)
    if guess is not None:
        return guess[0], guess[1]
    numeric = [c for c in table.columns if table.kind(c) != "label"]
    return numeric[:-1], (numeric[-1] if numeric else None)


def _plot(table: UnitTable) -> None:
    numeric = [c for c in table.columns if table.kind(c) != "label"]
    if len(numeric) < 2:
        return
    features, target = guess_columns(table)
    distinct = {f: len(np.unique(table.values(f))) for f in features}
    fast = max(features, key=lambda f: distinct[f]) if features else numeric[0]
    slow = min(features, key=lambda f: distinct[f]) if len(features) > 1 else None
    cols = st.columns(3)
    x = cols[0].selectbox("x axis", numeric, index=numeric.index(fast), key="data.plot.x")
    lines_options = ["(none)", *numeric]
    line_index = lines_options.index(slow) if slow in lines_options else 0
    lines = cols[1].selectbox(
        "one line per", lines_options, index=line_index, key="data.plot.lines"
    )
    y_index = numeric.index(target) if target in numeric else len(numeric) - 1
    y = cols[2].selectbox("y axis", numeric, index=y_index, key="data.plot.y")
    show_figure(figures.scan_figure(table, str(x), str(y), None if lines == "(none)" else lines))


def _keep(session: Session, table: UnitTable, title: str, key: Any) -> None:
    """Make ``table`` the session's table (Parquet in the session folder), once per ``key``."""
    kept = st.session_state.get("gui.table")
    if kept is not None and kept.get("key") == repr(key):
        return
    path = session.new_table()
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(path)
    st.session_state["gui.table"] = {"key": repr(key), "path": str(path), "name": title}


def render() -> None:
    """The Data page."""
    session = current_session()
    st.title("Data")
    source = st.radio(
        "Source", ["Upload files", "Registry dataset"], horizontal=True, key="data.source"
    )
    if source == "Upload files":
        table, _, title, key = _from_uploads(session)
    else:
        table, _, title, key = _from_registry()
    if table is None:
        return
    table, mass = _with_mass(table)
    _keep(session, table, title, (key, mass))
    meta = table.metadata
    st.subheader(f"{title}: {len(table)} rows")
    if meta.get("title"):
        st.caption(
            escape(str(meta["title"]))
            + (f" — {escape(str(meta['citation']))}" if meta.get("citation") else "")
        )
    st.dataframe(columns_frame(table), hide_index=True, key="data.columns")
    if table.sample is not None and table.sample.mass is not None:
        st.caption(f"sample: {escape(str(table.sample))}")
    for note in meta.get("notes", []):
        st.info(escape(str(note)), icon=":material/info:")
    _plot(table)
    st.success("The Train and Property pages use this table.", icon=":material/check:")
