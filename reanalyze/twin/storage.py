"""Where a study lives: an embedded journal file by default, any SQLAlchemy URL otherwise.

* ``None`` or a path ending in ``.journal`` / ``.log``: Optuna's journal file storage —
  nothing to install, safe for several processes on one machine (file locks), and ~4× faster
  than SQLite with 8 processes on a 2-core machine.
* ``sqlite:///file.db``: works, but Optuna does not recommend SQLite for parallel workers.
* ``postgresql://user@host/db`` (or MySQL): for workers on several machines; reanalyze turns
  on heartbeats so trials of a dead worker are marked failed and retried.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reanalyze.errors import DataError

__all__ = ["describe", "open_storage"]

HEARTBEAT_S = 10
GRACE_S = 30


def open_storage(url: str | Path) -> Any:
    """An Optuna storage for ``url`` (a journal file path or an SQLAlchemy URL)."""
    import optuna
    from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    text = str(url)
    if "://" not in text:
        path = Path(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = JournalFileOpenLock(str(path))
        return JournalStorage(JournalFileBackend(str(path), lock_obj=lock))
    if text.startswith("sqlite:"):
        return RDBStorage(text)
    try:
        return RDBStorage(
            text,
            heartbeat_interval=HEARTBEAT_S,
            grace_period=GRACE_S,
            heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=2),
            engine_kwargs={"pool_pre_ping": True},
        )
    except (optuna.exceptions.StorageInternalError, ImportError, Exception) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise DataError(f"cannot open study storage {describe(text)}: {message}") from None


def describe(url: str | Path) -> str:
    """The storage URL with any password hidden."""
    text = str(url)
    if "://" in text and "@" in text:
        scheme, rest = text.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else text
    return text
