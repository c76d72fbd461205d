"""The run folders of the working folder: what each holds, its headline numbers, its twin.

A run folder is recognized as ``reanalyze train`` writes it (``bundle.json``, a study
journal, or a run marker); it is *complete* once its twin is saved, *running* while a search
holds its lock, and *incomplete* otherwise (stopped or interrupted: it can be resumed).
Nothing here writes into a run folder.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reanalyze._io import read_json
from reanalyze.errors import ReanalyzeError
from reanalyze.outputs import LOCK_FILE, read_marker

__all__ = ["RunEntry", "complete_runs", "headline", "list_runs", "load_twin", "run_entry"]

_TWINS: dict[str, tuple[float, Any]] = {}
_TWINS_LOCK = threading.Lock()


@dataclass
class RunEntry:
    """One run folder: its name, path, state and (when complete) its bundle's description."""

    name: str
    path: Path
    state: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, Any]:
        """The search summary of ``bundle.json`` (empty before the twin is saved)."""
        value = self.info.get("summary")
        return value if isinstance(value, dict) else {}


def _locked(folder: Path) -> bool:
    """Whether a process holds the folder's lock (a search is writing it)."""
    lock = folder / LOCK_FILE
    if not lock.is_file():
        return False
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return False
    with open(lock, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def run_entry(folder: Path) -> RunEntry | None:
    """The run in ``folder``, or ``None`` when it is not a run folder."""
    marker = read_marker(folder)
    bundle = folder / "bundle.json"
    is_run = (marker is not None and marker.kind == "run") or bundle.is_file()
    if not is_run and not (folder / "study.journal").is_file():
        return None
    info: dict[str, Any] = {}
    if bundle.is_file():
        with contextlib.suppress(ReanalyzeError):
            loaded = read_json(bundle, "reanalyze run")
            info = loaded if isinstance(loaded, dict) else {}
    if _locked(folder):
        state = "running"
    elif marker is not None and not marker.complete:
        state = "incomplete"
    elif info:
        state = "complete"
    else:
        state = "incomplete"
    return RunEntry(name=folder.name, path=folder, state=state, info=info)


def list_runs(root: Path) -> list[RunEntry]:
    """The runs in ``root`` (the working folder's ``runs/``), newest first."""
    if not root.is_dir():
        return []
    entries = [e for f in root.iterdir() if f.is_dir() and (e := run_entry(f)) is not None]
    return sorted(entries, key=lambda e: e.path.stat().st_mtime, reverse=True)


def complete_runs(root: Path) -> list[RunEntry]:
    """The runs whose twin is saved."""
    return [e for e in list_runs(root) if e.state == "complete"]


def _percent(value: Any) -> str:
    return f"{value:.2%}" if isinstance(value, int | float) else ""


def headline(entry: RunEntry) -> dict[str, Any]:
    """The numbers the Runs page lists for a run (strings and numbers, for a table)."""
    s = entry.summary
    trials = s.get("trials") or {}
    holdout = s.get("holdout") or {}
    classic = holdout.get("classic") or {}
    best_classic = min(classic.items(), key=lambda kv: kv[1]) if classic else None
    dataset = s.get("dataset") or {}
    features = entry.info.get("features") or []
    config = s.get("config") or {}
    row: dict[str, Any] = {
        "run": entry.name,
        "state": entry.state,
        "data": str(dataset.get("dataset") or dataset.get("title") or ""),
        "twin": f"{', '.join(features)} → {entry.info.get('target', '')}" if features else "",
        "trials": (
            f"{trials.get('COMPLETE', 0)} done, {trials.get('PRUNED', 0)} stopped early, "
            f"{trials.get('FAIL', 0)} failed"
            if trials
            else ""
        ),
        "best score": s.get("best_value"),
        "network": (
            f"{config.get('layers')} × {config.get('nodes')} {config.get('activation')}"
            if config
            else ""
        ),
        "ensemble": s.get("ensemble"),
        "fit (of line range)": _percent((s.get("fit") or {}).get("fit_rel_rmse")),
        "held-out lines: twin": _percent(holdout.get("twin")),
        "held-out lines: best classic": (
            f"{best_classic[0]} {best_classic[1]:.2%}" if best_classic else ""
        ),
        "wall time (s)": s.get("wall_s"),
    }
    validation = entry.path / "validation" / "validation.json"
    if validation.is_file():
        from reanalyze.validation.result import Validation

        with contextlib.suppress(ReanalyzeError):
            row["validation"] = Validation.read(validation.parent).verdict()
    return row


def load_twin(folder: Path) -> Any:
    """The :class:`~reanalyze.twin.bundle.ModelBundle` of a run folder, loaded once.

    Kept in memory while its ``bundle.json`` is unchanged; every session shares it (it is
    only read).
    """
    from reanalyze.twin.bundle import ModelBundle

    key = str(folder.resolve())
    stamp = (folder / "bundle.json").stat().st_mtime if (folder / "bundle.json").exists() else 0
    with _TWINS_LOCK:
        cached = _TWINS.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    bundle = ModelBundle.load(folder)
    with _TWINS_LOCK:
        _TWINS[key] = (stamp, bundle)
    return bundle
