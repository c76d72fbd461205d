"""Searches started from the GUI: background processes, their state, progress, stop, resume.

A search runs :func:`reanalyze.workflows.train_twin` in a process of its own
(``multiprocessing`` with the ``spawn`` start method), which starts the search's worker
processes and writes the trials into the run folder's study journal. The page that started
it can be reloaded or closed: the process belongs to the GUI server, not to the browser
session. Its state (``starting``, ``running``, ``finished``, ``failed``, ``stopped``) is in
``WORKDIR/.reanalyze-gui/jobs/NAME.json`` (schema :class:`JobState`), its output in
``NAME.log`` beside it, and its training table is copied to ``NAME.parquet`` there, so a
stopped search can be resumed from any session, even after the server restarted.

Progress is read from the study itself (:func:`study_progress`): trials finished, stopped
early (pruned), failed and running, the best objective so far, and the learning curves the
trials store. **Stop** sends SIGTERM: the search ends its worker processes and leaves the
run folder marked incomplete, with its finished trials kept. **Resume** starts the same
search again on the same folder; the study continues where it stopped. When the GUI server
ends, it stops the searches it started (they can be resumed the same way).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.util  # its exit hook must be registered before ours
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reanalyze._atomic import atomic_path
from reanalyze.errors import DataError, OptionError, ReanalyzeError
from reanalyze.twin.progress import TrialCounts

__all__ = [
    "RUNNING",
    "SPACE_NAMES",
    "JobSpec",
    "JobState",
    "StudyProgress",
    "check_spec",
    "job_status",
    "log_tail",
    "resume_job",
    "start_job",
    "stop_job",
    "study_progress",
]

#: States of a search that is (or is about to be) running.
RUNNING = ("starting", "running")
#: How the Train page names the search-space settings, for messages.
SPACE_NAMES = {
    "layers": "hidden layers",
    "nodes": "nodes per layer",
    "learning_rate": "learning rate",
    "batch_sizes": "batch sizes",
    "activations": "activations",
    "optimizers": "optimizers",
    "max_epochs": "max epochs",
    "patience": "patience",
}

_PROCESSES: dict[str, Any] = {}
_LOCK = threading.Lock()
_STORAGES: dict[tuple[str, int], Any] = {}


class JobSpec(BaseModel):
    """What a search started from the GUI does (the arguments of ``train_twin``)."""

    model_config = ConfigDict(extra="forbid")

    run: str = Field(description="Run folder name under WORKDIR/runs.")
    table: str = Field(description="The training table (Parquet with units).")
    features: list[str]
    target: str
    recipe: str = "default"
    n_trials: int | None = None
    workers: int = 0
    timeout: float | None = Field(default=None, description="Time budget, s.")
    ensemble: int | None = None
    seed: int = 0
    overrides: dict[str, Any] = Field(default_factory=dict)
    tracking_uri: str | None = Field(default=None, description="MLflow store; None: none.")
    data_name: str = Field(default="", description="What the user calls the table.")

    def search_options(self) -> dict[str, Any]:
        """The options of :class:`~reanalyze.twin.search.Search`."""
        return {
            "n_trials": self.n_trials,
            "workers": self.workers,
            "seed": self.seed,
            "ensemble": self.ensemble,
            "timeout": self.timeout,
        }


class JobState(BaseModel):
    """``jobs/NAME.json``: a search's settings and how far it got."""

    model_config = ConfigDict(extra="forbid")

    spec: JobSpec
    state: Literal["starting", "running", "finished", "failed", "stopped"]
    pid: int | None = None
    started: float = Field(description="Start, seconds since the epoch.")
    ended: float | None = None
    error: str | None = None
    lines: list[str] = Field(default_factory=list, description="What the search concluded.")


# ------------------------------------------------------------------ files
def _job_file(jobs: Path, name: str) -> Path:
    return jobs / f"{name}.json"


def _log_file(jobs: Path, name: str) -> Path:
    return jobs / f"{name}.log"


def _write(file: Path, state: JobState) -> None:
    with atomic_path(file) as tmp:
        tmp.write_text(state.model_dump_json(indent=2) + "\n", encoding="utf-8")


def _read(file: Path) -> JobState | None:
    try:
        return JobState.model_validate_json(file.read_bytes())
    except (OSError, ValueError):
        return None


def log_tail(jobs: Path, name: str, lines: int = 20) -> str:
    """The last ``lines`` lines the search wrote (its notes, warnings, a traceback)."""
    try:
        text = _log_file(jobs, name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# ------------------------------------------------------------------ the process
def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _main(spec_json: str, job_file: str, log_file: str, run_dir: str) -> None:
    """The search process: run ``train_twin`` and record how it ended."""
    signal.signal(signal.SIGTERM, _interrupt)  # Stop: end like Ctrl-C (workers stopped)
    with open(log_file, "a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    spec = JobSpec.model_validate_json(spec_json)
    state = JobState(spec=spec, state="running", pid=os.getpid(), started=time.time())
    _write(Path(job_file), state)
    update: dict[str, Any]
    try:
        from reanalyze.gui.state import OPTION_WORDS
        from reanalyze.twin.verdict import search_sentence
        from reanalyze.wording import front_end_words
        from reanalyze.workflows import train_twin

        with front_end_words(OPTION_WORDS):  # this process's messages in the page's words
            run = train_twin(
                [spec.table],
                run_dir,
                features=spec.features,
                target=spec.target,
                recipe=spec.recipe,
                overrides=spec.overrides,
                names=SPACE_NAMES,
                search_options=spec.search_options(),
                tracking_uri=spec.tracking_uri,
                log_to_mlflow=spec.tracking_uri is not None,
                option="run folder",
                note=lambda line: print(line, flush=True),
            )
        update = {"state": "finished", "lines": search_sentence(run.search.bundle_.summary)}
    except KeyboardInterrupt:
        update = {"state": "stopped", "error": "stopped; the finished trials are kept"}
    except ReanalyzeError as exc:
        update = {"state": "failed", "error": str(exc)}
    except Exception as exc:  # not bad input: keep the traceback in the log
        traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        update = {"state": "failed", "error": f"{type(exc).__name__}: {first} (see the log)"}
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _write(Path(job_file), state.model_copy(update={**update, "ended": time.time()}))
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written. End now: a graceful interpreter exit waits for the search's
    # worker pool, which can take minutes; the workers end when this process is gone.
    os._exit(0)


def _pid_alive(pid: int) -> bool:
    from reanalyze.twin.pool import process_gone

    if process_gone(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():  # the pid may have been reused: is it a spawned Python process?
        with contextlib.suppress(OSError):
            return b"--multiprocessing-fork" in cmdline.read_bytes()
    return True


def _alive(name: str, pid: int | None) -> bool:
    with _LOCK:
        process = _PROCESSES.get(name)
    if process is not None:
        return bool(process.is_alive())
    return pid is not None and _pid_alive(pid)


def job_status(jobs: Path, name: str) -> JobState | None:
    """The state of the search of run ``name`` (``None`` when the GUI never started one).

    A search recorded as running whose process is gone (killed, or the server restarted
    under it) is reported as stopped.
    """
    job = _read(_job_file(jobs, name))
    if job is None:
        return None
    if job.state in RUNNING and not _alive(name, job.pid):
        # read again: the process may have recorded its end since
        job = _read(_job_file(jobs, name)) or job
        if job.state in RUNNING:
            job = job.model_copy(
                update={
                    "state": "stopped",
                    "error": "the search process ended without "
                    "recording why (killed, or the GUI server stopped)",
                }
            )
    return job


def check_spec(spec: JobSpec, runs: Path) -> None:
    """Refuse a search that cannot start, with one line, before any process is started.

    Raises
    ------
    OptionError
        A bad run name, search setting or search-space override, an unknown recipe
        (:class:`~reanalyze.errors.UnknownNameError`), or a run folder that is not a run.
    DataError
        The training table is missing.
    """
    from reanalyze.gui.state import run_name_problem
    from reanalyze.outputs import output_action
    from reanalyze.twin.recipes import get_recipe
    from reanalyze.twin.search import Search
    from reanalyze.twin.space import SearchSpace

    problem = run_name_problem(spec.run)
    if problem:
        raise OptionError(problem)
    if not Path(spec.table).is_file():
        raise DataError("no training table: load data on the Data page first")
    if not spec.features or spec.target in spec.features:
        raise OptionError("choose one or more features and a target that is not a feature")
    recipe = get_recipe(spec.recipe)
    SearchSpace.from_overrides(dict(spec.overrides), None, SPACE_NAMES)
    Search(None, recipe=recipe, **spec.search_options())
    output_action(runs / spec.run, "run", inputs=[spec.table], option="run folder")


def start_job(jobs: Path, runs: Path, spec: JobSpec, *, resume: bool = False) -> JobState:
    """Start the search ``spec`` in a background process; return its first state.

    The training table is copied beside the job file, so the search can be resumed after
    the session that started it is gone. A new search (not ``resume``) needs a new run name.

    Raises
    ------
    OptionError, DataError
        As :func:`check_spec`; a search of this run is already running; or, for a new
        search, the run folder exists.
    """
    current = job_status(jobs, spec.run)
    if current is not None and current.state in RUNNING:
        raise OptionError(f"run {spec.run}: a search is already running")
    if not resume and (runs / spec.run).exists():
        raise OptionError(f"run {spec.run} exists: choose another run name (or resume it)")
    jobs.mkdir(parents=True, exist_ok=True)
    table = jobs / f"{spec.run}.parquet"
    if Path(spec.table).resolve() != table.resolve():
        check_spec(spec, runs)
        with atomic_path(table) as tmp:
            shutil.copyfile(spec.table, tmp)
        spec = spec.model_copy(update={"table": str(table)})
    check_spec(spec, runs)
    job_file = _job_file(jobs, spec.run)
    state = JobState(spec=spec, state="starting", started=time.time())
    _write(job_file, state)
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_main,
        args=(
            spec.model_dump_json(),
            str(job_file),
            str(_log_file(jobs, spec.run)),
            str(runs / spec.run),
        ),
        name=f"reanalyze-gui-{spec.run}",
    )
    process.start()
    with _LOCK:
        _PROCESSES[spec.run] = process
    return state.model_copy(update={"pid": process.pid})


def resume_job(jobs: Path, runs: Path, name: str) -> JobState:
    """Start the stopped or failed search of run ``name`` again (its study continues).

    Raises
    ------
    OptionError
        The GUI never started a search for ``name``, or it is still running.
    """
    job = job_status(jobs, name)
    if job is None:
        raise OptionError(f"run {name}: no search started from the GUI to resume")
    return start_job(jobs, runs, job.spec, resume=True)


def stop_job(jobs: Path, name: str, timeout: float = 30.0) -> JobState | None:
    """Stop the running search of run ``name`` and wait for it to end (up to ``timeout`` s)."""
    job = job_status(jobs, name)
    if job is None or job.state not in RUNNING:
        return job
    with _LOCK:
        process = _PROCESSES.get(name)
    pid = process.pid if process is not None else job.pid
    if pid is None:
        return job
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(name, pid):
        time.sleep(0.2)
    return job_status(jobs, name)


@atexit.register
def _stop_all() -> None:
    """Stop the searches this server started (before multiprocessing waits for them)."""
    with _LOCK:
        processes = [p for p in _PROCESSES.values() if p.is_alive()]
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
    for process in processes:
        process.join(30.0)


# ------------------------------------------------------------------ progress
@dataclass
class StudyProgress(TrialCounts):
    """A search's progress as its study records it.

    ``trials`` holds a row per trial (number, state, score, parameters, epochs, seconds);
    ``curves`` holds ``(trial number, loss, val_loss)`` per epoch of the best complete
    trials (losses are MSEs of the standardized target, dimensionless).
    """

    trials: list[dict[str, Any]] = field(default_factory=list)
    curves: list[tuple[int, list[float], list[float]]] = field(default_factory=list)


def _storage(journal: Path) -> Any:
    from reanalyze.twin.storage import open_storage

    key = (str(journal.resolve()), journal.stat().st_ino)
    with _LOCK:
        storage = _STORAGES.get(key)
        if storage is None:
            storage = _STORAGES[key] = open_storage(journal)
    return storage


def study_progress(run_dir: Path, top: int = 3) -> StudyProgress | None:
    """What the study in ``run_dir`` holds so far (``None`` before it has been created)."""
    import optuna

    journal = run_dir / "study.journal"
    if not journal.is_file():
        return None
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        storage = _storage(journal)
        names = [s.study_name for s in storage.get_all_studies()]
        if not names:
            return None
        study = optuna.load_study(study_name=names[0], storage=storage)
        trials = study.get_trials(deepcopy=False)
        attrs = study.user_attrs.get("reanalyze") or {}
    except (OSError, ValueError, KeyError):  # a journal being written: try again later
        return None
    complete = [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]
    best = sorted(complete, key=lambda t: float(t.value or 0.0), reverse=True)
    rows = []
    for t in trials:
        rows.append(
            {
                "trial": t.number,
                "state": t.state.name.lower(),
                "score": t.value,
                **{k: v for k, v in t.params.items()},
                "epochs": t.user_attrs.get("epochs"),
                "seconds": t.user_attrs.get("wall_s"),
            }
        )
    curves = []
    for t in best[:top]:
        history = t.user_attrs.get("history") or {}
        if history.get("loss"):
            curves.append((t.number, list(history["loss"]), list(history.get("val_loss") or [])))
    total = int(attrs.get("n_trials") or len(trials))
    return StudyProgress.of(trials, total, trials=rows, curves=curves)
