"""Where the GUI keeps things: the server's working folder and each browser session's folder.

The working folder (``reanalyze gui --workdir``, default the current folder) is laid out as
the command line would leave it, so the GUI and ``reanalyze train --out runs/NAME`` see the
same runs::

    WORKDIR/
      runs/NAME/                 run folders (twins), one per search
      mlflow.db                  the MLflow tracking store
      .reanalyze-gui/
        jobs/NAME.json, NAME.log searches started from the GUI: state and log
        sessions/ID/             one per browser session (ID: 32 random hex digits)
          uploads/               uploaded files, under generated names
          tables/                the loaded table, as Parquet with its units
          outputs/               simulations, property results, plans of this session

A session's ID lives in the page's URL (``?session=ID``), so a reload finds the session's
uploads again; another browser session gets another ID and never sees them. No name or
path that comes from the browser is used for a file: an upload is written as
``upload-<random>.<suffix>`` (the suffix from :data:`UPLOAD_SUFFIXES`), and the name the
user gave is kept only for display.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from reanalyze._atomic import atomic_path
from reanalyze.errors import DataError

__all__ = [
    "DEFAULT_MAX_UPLOAD_MB",
    "ENV_MAX_UPLOAD",
    "ENV_WORKDIR",
    "OPTION_WORDS",
    "UPLOAD_SUFFIXES",
    "Session",
    "Settings",
    "StoredFile",
    "current_session",
    "remember",
    "restore",
    "run_name_problem",
    "settings_from_env",
    "store_upload",
]

#: Environment variables through which ``reanalyze gui`` configures the app.
ENV_WORKDIR = "REANALYZE_GUI_WORKDIR"
ENV_MAX_UPLOAD = "REANALYZE_GUI_MAX_UPLOAD_MB"
#: Largest upload accepted, MB (``reanalyze gui --max-upload-mb``).
DEFAULT_MAX_UPLOAD_MB = 50
#: File types the Data page accepts (what the built-in loaders read).
UPLOAD_SUFFIXES = (".csv", ".txt", ".tsv", ".dat", ".json", ".parquet", ".pq")
#: Query parameter holding the session's ID.
SESSION_PARAM = "session"
PRIVATE = ".reanalyze-gui"
#: What a reload of the page finds again: the session's table, twin and search.
REMEMBERED = ("gui.table", "gui.run", "gui.job")
STATE_FILE = "state.json"
_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


#: What the GUI calls the library parameters that messages tell the user to set
#: (:func:`reanalyze.wording.option`): within ``reported`` blocks and the background search.
OPTION_WORDS = {
    "allow_extrapolation": "the box 'Allow points outside the training ranges'",
    "columns": "the 'Columns to load' box on the Data page",
    "loader": "the Loader choice {value}",
    "moment_column": "moment_column={value} in Loader options",
    "series_unit": "series_unit={value} in Loader options",
    "series_values": "series_values.{key}={value} in Loader options",
    "x": "x={value} in Loader options",
    "y": "y={value} in Loader options",
    "units": "the 'Units of the columns' boxes",
    "steps": "steps in the 'Candidate steps' box",
}


@dataclass(frozen=True)
class Settings:
    """The server's settings: its working folder and the upload limit (MB)."""

    workdir: Path
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB

    @property
    def runs(self) -> Path:
        """Folder of the run folders."""
        return self.workdir / "runs"

    @property
    def private(self) -> Path:
        """The GUI's own folder (jobs, sessions)."""
        return self.workdir / PRIVATE

    @property
    def jobs(self) -> Path:
        """Folder of the job files of searches started from the GUI."""
        return self.private / "jobs"

    @property
    def tracking_uri(self) -> str:
        """The MLflow store of the working folder."""
        return f"sqlite:///{self.workdir / 'mlflow.db'}"


def settings_from_env() -> Settings:
    """The settings ``reanalyze gui`` passed in the environment (defaults otherwise).

    Raises
    ------
    DataError
        The upload limit is not a positive whole number.
    """
    workdir = Path(os.environ.get(ENV_WORKDIR) or os.getcwd()).resolve()
    text = os.environ.get(ENV_MAX_UPLOAD) or str(DEFAULT_MAX_UPLOAD_MB)
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise DataError(f"{ENV_MAX_UPLOAD}={text!r}: expected a positive number of MB")
    return Settings(workdir=workdir, max_upload_mb=limit)


def run_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a run folder, or ``None`` when it can.

    >>> run_name_problem("erco2-1"), run_name_problem("../x") is not None
    (None, True)
    """
    if not _RUN_NAME.match(name):
        return (
            f"run name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return None


@dataclass(frozen=True)
class StoredFile:
    """An upload written into a session: the name the user gave (display only) and its path."""

    display: str
    path: Path


@dataclass(frozen=True)
class Session:
    """One browser session: its ID and the server's settings."""

    id: str
    settings: Settings

    @property
    def folder(self) -> Path:
        """The session's private folder."""
        return self.settings.private / "sessions" / self.id

    @property
    def uploads(self) -> Path:
        """Where uploads are written."""
        return self.folder / "uploads"

    @property
    def tables(self) -> Path:
        """Where loaded tables are kept (Parquet)."""
        return self.folder / "tables"

    @property
    def outputs(self) -> Path:
        """Where simulations, property results and plans of the session are written."""
        return self.folder / "outputs"

    def new_output(self, kind: str, suffix: str = "") -> Path:
        """A fresh path for an output of ``kind`` (nothing is created)."""
        return self.outputs / f"{kind}-{uuid.uuid4().hex[:12]}{suffix}"

    def new_table(self) -> Path:
        """A fresh path for a loaded table (Parquet)."""
        return self.tables / f"table-{uuid.uuid4().hex[:12]}.parquet"


def display_name(name: str) -> str:
    """The last part of a browser-given file name, shortened, for display only."""
    text = PurePath(name.replace("\\", "/")).name or "upload"
    return text[:120]


def store_upload(session: Session, name: str, data: bytes) -> StoredFile:
    """Write an uploaded file into the session under a generated name.

    Parameters
    ----------
    session
        The browser session.
    name
        The file name the browser sent (used for its suffix and for display only).
    data
        The file's bytes.

    Raises
    ------
    DataError
        The file is larger than the upload limit, or its type is not one the loaders read.
    """
    shown = display_name(name)
    limit = session.settings.max_upload_mb
    if len(data) > limit * 1024 * 1024:
        raise DataError(
            f"{shown}: {len(data) / 1024 / 1024:.1f} MB is over the upload limit of {limit} MB "
            "(reanalyze gui --max-upload-mb)"
        )
    suffix = PurePath(shown).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise DataError(
            f"{shown}: not a file type the loaders read (use {', '.join(UPLOAD_SUFFIXES)})"
        )
    session.uploads.mkdir(parents=True, exist_ok=True)
    path = session.uploads / f"upload-{uuid.uuid4().hex[:16]}{suffix}"
    with open(path, "xb") as handle:  # a new file: never replaces one
        handle.write(data)
    return StoredFile(display=shown, path=path)


def current_session() -> Session:
    """This browser session (its ID from the session state, or the URL, or a new one).

    A reload keeps the ``?session=ID`` of the URL and so finds the session's folder again,
    with the table, twin and search it had (:func:`restore`); an ID that is not 32 hex
    digits, or whose folder does not exist, is replaced by a new one.
    """
    import streamlit as st

    settings = settings_from_env()
    state: Any = st.session_state
    sid = state.get("gui.session")
    if sid is None:
        given = st.query_params.get(SESSION_PARAM)
        folder = settings.private / "sessions" / str(given)
        if isinstance(given, str) and _SESSION_ID.match(given) and folder.is_dir():
            sid = given
        else:
            sid = uuid.uuid4().hex
        state["gui.session"] = sid
        restore(Session(id=sid, settings=settings), state)
    session = Session(id=sid, settings=settings)
    session.folder.mkdir(parents=True, exist_ok=True)
    if st.query_params.get(SESSION_PARAM) != sid:
        st.query_params[SESSION_PARAM] = sid
    return session


def restore(session: Session, state: Any) -> None:
    """Put what :func:`remember` kept of the session (its table, twin, search) back."""
    try:
        kept = json.loads((session.folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(kept, dict):
        return
    table = kept.get("gui.table")
    if isinstance(table, dict) and Path(str(table.get("path"))).parent != session.tables:
        kept.pop("gui.table")  # only a table of this session's own folder
    for key in REMEMBERED:
        if key in kept and key not in state:
            state[key] = kept[key]


def remember(session: Session, state: Any) -> None:
    """Keep the session's table, twin and search in its folder, for a reload of the page."""
    kept = {key: state[key] for key in REMEMBERED if key in state}
    text = json.dumps(kept, indent=1, default=str)
    file = session.folder / STATE_FILE
    with contextlib.suppress(OSError):
        if file.is_file() and file.read_text(encoding="utf-8") == text:
            return
    with atomic_path(file) as tmp:
        tmp.write_text(text, encoding="utf-8")
