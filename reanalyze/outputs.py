"""Output folders that reanalyze owns: never delete or overwrite what it did not write.

Every command that writes a folder (``property run``, ``plan``, ``validate``, ``report``,
``demo``, and ``train``'s run folder) goes through this module:

* :func:`output_action` decides, without touching anything, whether ``--out`` may be
  written and how: ``"create"`` (absent or empty), ``"replace"`` (a previous output of the
  same command, recognized by its marker file :data:`MARKER`) or ``"merge"`` (``--overwrite``
  into a folder reanalyze did not write: only the files the command writes are replaced).
  It refuses, with one line, an ``--out`` that is the current folder or one of its parents,
  an input or a folder holding an input, a twin's run folder (for any command but
  ``train``), a file, or a non-empty folder it does not own.
* :func:`publish_folder` writes the new output into a temporary folder beside the target and
  moves it into place. A new folder appears by one ``rename``; an existing one is first
  marked incomplete in its marker, then each new file replaces its old version
  (``os.replace``), the files of the previous output that the new one no longer has are
  removed (they are in the old marker's list, so reanalyze wrote them), and the marker is
  marked complete last. Files nobody listed — the user's — are never touched.
* :func:`check_complete` is what readers call: a folder whose marker says ``complete:
  false`` was interrupted while being written and is refused.
* :func:`write_output_file` and :func:`read_output_file` write and read the JSON file of an
  output folder (``plan.json``, ``summary.json``) through its pydantic schema, so the writer
  and the reader of a file share one schema.

A command that writes one file (``simulate``, ``data inspect``, ``data synth``) goes through
:func:`file_action` (:func:`table_file_action` for a table) before any work, then writes with
:func:`write_table_file`: a temporary file beside the target, moved into place at the end.
It refuses a folder, an input of the command, a file inside a folder reanalyze owns (an
output folder with a marker, a twin's run folder: its files belong to it) and, unless
``overwrite``, an existing file. The file carries no marker, so reanalyze cannot tell its
own earlier output from the user's file: replacing either needs ``overwrite``.

The marker ``.reanalyze-output.json`` (schema :class:`OutputMarker`) lives next to the
files it lists and is read and written only here.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from reanalyze import wording
from reanalyze._atomic import atomic_path, temp_beside
from reanalyze._io import read_json
from reanalyze.errors import DataError, OptionError, validation_message

if TYPE_CHECKING:
    from reanalyze.table import UnitTable

__all__ = [
    "MARKER",
    "TABLE_SUFFIXES",
    "Action",
    "FileAction",
    "OutputMarker",
    "check_complete",
    "file_action",
    "folder_lock",
    "output_action",
    "publish_folder",
    "read_marker",
    "read_output_file",
    "table_file_action",
    "write_marker",
    "write_output_file",
    "write_table_file",
]

MARKER = ".reanalyze-output.json"
LOCK_FILE = ".reanalyze.lock"
#: Files that identify a twin's run folder (``reanalyze train``).
RUN_FILES = ("bundle.json", "study.journal")
#: What a previous output looked like before markers existed: its kind's main file.
LEGACY_FILES: dict[str, tuple[str, ...]] = {
    "property": ("summary.json",),
    "plan": ("plan.json",),
    "validation": ("validation.json",),
    "report": ("index.html",),
    "demo": ("dense.parquet",),
    "run": RUN_FILES,
}

Action = Literal["create", "replace", "merge"]
FileAction = Literal["create", "replace"]
#: Table file names :func:`write_table_file` writes: Parquet, or CSV with units in the header.
TABLE_SUFFIXES = {".parquet": "parquet", ".csv": "csv", ".txt": "csv"}
Schema = TypeVar("Schema", bound=BaseModel)


class OutputMarker(BaseModel):
    """``.reanalyze-output.json``: which command wrote a folder, what, and whether it finished."""

    format: Literal["reanalyze-output"] = "reanalyze-output"
    kind: str = Field(description="The writer: property, plan, validation, report, demo, run.")
    complete: bool = Field(description="False while the folder is being written.")
    files: list[str] = Field(
        default_factory=list, description="Files written (POSIX paths relative to the folder)."
    )
    pid: int | None = Field(default=None, description="Process that wrote it.")


def read_marker(folder: str | Path) -> OutputMarker | None:
    """The marker of ``folder``, or None when it has none (or an unreadable one)."""
    file = Path(folder) / MARKER
    try:
        return OutputMarker.model_validate_json(file.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def write_marker(folder: str | Path, marker: OutputMarker) -> None:
    """Write ``folder``'s marker atomically."""
    with atomic_path(Path(folder) / MARKER) as tmp:
        tmp.write_text(marker.model_dump_json(indent=2) + "\n", encoding="utf-8")


def _is_run_folder(folder: Path) -> bool:
    marker = read_marker(folder)
    return (marker is not None and marker.kind == "run") or any(
        (folder / name).exists() for name in RUN_FILES
    )


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def output_action(
    target: str | Path,
    kind: str,
    *,
    inputs: Iterable[str | Path] = (),
    overwrite: bool | None = False,
    option: str = "output folder",
    cwd: str | Path | None = None,
) -> Action:
    """Decide how ``target`` may be written by the command ``kind``; refuse with one line.

    Parameters
    ----------
    target
        The output folder asked for.
    kind
        The writer (``property``, ``plan``, ``validation``, ``report``, ``demo``, ``run``).
    inputs
        Files and folders the command reads: the output may not be one of them or hold one.
    overwrite
        Allow writing into a non-empty folder reanalyze did not write; only the files the
        command writes are replaced. ``None``: the writer never does (the demo), and the
        refusal does not suggest it.
    option
        The option's name, for the message.
    cwd
        The current folder (default: the process's).

    Returns
    -------
    ``"create"``, ``"replace"`` or ``"merge"``.

    Raises
    ------
    OptionError
        The output may not be written there.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> here = pathlib.Path(tempfile.mkdtemp())
    >>> output_action(here / "new", "plan")
    'create'
    >>> (here / "mine.txt").write_text("data")
    4
    >>> output_action(here, "plan", cwd="/")
    Traceback (most recent call last):
    ...
    reanalyze.errors.OptionError: output folder ...: not empty and not written by ...
    """
    path = Path(target).resolve()
    here = Path(cwd or os.getcwd()).resolve()
    if _inside(here, path):
        where = "the current folder" if path == here else "a parent of the current folder"
        raise OptionError(f"{option} {target}: is {where}; give a new folder")
    for item in inputs:
        source = Path(item).resolve()
        if _inside(source, path):
            raise OptionError(f"{option} {target}: is or holds the input {item}")
    if not path.exists():
        return "create"
    if not path.is_dir():
        raise OptionError(f"{option} {target}: exists and is not a folder")
    if kind != "run" and _is_run_folder(path):
        raise OptionError(f"{option} {target}: is a twin's run folder; give another folder")
    if not any(path.iterdir()):
        return "create"
    marker = read_marker(path)
    if marker is not None and marker.kind == kind:
        return "replace"
    legacy = LEGACY_FILES.get(kind, ())
    if marker is None and any((path / name).is_file() for name in legacy):
        return "merge"  # written by an older reanalyze: replace only what is written now
    if overwrite:
        return "merge"
    owner = f" (written by reanalyze {marker.kind})" if marker is not None else ""
    allowed = (
        f" or give {wording.option('overwrite', switch=True)}" if overwrite is not None else ""
    )
    raise OptionError(
        f"{option} {target}: not empty and not written by reanalyze {kind}{owner}; "
        f"choose another folder{allowed}"
    )


def _shown(path: Path) -> str:
    """``path`` (resolved) as a message shows it: relative to the current folder if inside."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def _owner(folder: Path) -> str | None:
    """Who owns ``folder``: ``"a twin's run folder"``, ``"an output folder of reanalyze
    KIND"``, or None (nobody: the user's).

    Every folder above an output file is asked, so a run folder is recognized by its
    marker, or (a twin saved without one: before markers existed, or by
    :meth:`~reanalyze.twin.bundle.ModelBundle.save`) by ``bundle.json`` with ``members/``
    beside it: a stray ``bundle.json`` of the user's high up does not count.
    """
    marker = read_marker(folder) if (folder / MARKER).is_file() else None
    if (marker is not None and marker.kind == "run") or (
        (folder / "bundle.json").is_file() and (folder / "members").is_dir()
    ):
        return "a twin's run folder"
    if (folder / MARKER).is_file():
        return f"an output folder of reanalyze {marker.kind}" if marker else "an output folder"
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b or os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def file_action(
    target: str | Path,
    *,
    inputs: Iterable[str | Path] = (),
    overwrite: bool = False,
    option: str = "output file",
) -> FileAction:
    """Decide whether the single file ``target`` may be written; refuse with one line.

    Nothing is touched. Refused, whatever ``overwrite`` says: a folder, a path under an
    existing file, one of ``inputs`` (the same file, however named: a link to it, a path
    through ``..``), and a file inside a folder reanalyze owns (any folder above it with a
    marker, or a twin's run folder: the files there belong to it). An existing file is
    refused unless ``overwrite``. Missing folders above ``target`` are created when it is
    written, as for output folders.

    Parameters
    ----------
    target
        The file asked for.
    inputs
        Files and folders the command reads.
    overwrite
        Allow replacing an existing file (reanalyze cannot tell its own earlier output from
        the user's file: a single file carries no marker).
    option
        The option's name, for the message.

    Returns
    -------
    ``"create"`` (no file there) or ``"replace"`` (an existing file, with ``overwrite``).

    Raises
    ------
    OptionError
        The file may not be written there.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> here = pathlib.Path(tempfile.mkdtemp())
    >>> file_action(here / "new.csv")
    'create'
    >>> (here / "notes.csv").write_text("my notes")
    8
    >>> file_action(here / "notes.csv", overwrite=True)
    'replace'
    >>> file_action(here / "notes.csv")
    Traceback (most recent call last):
    ...
    reanalyze.errors.OptionError: output file ...: exists; give overwrite=True to replace it
    """
    given = Path(target)
    path = given.resolve()
    where = f"{option} {target}"
    if given.is_dir():
        raise OptionError(f"{where}: is a folder; give a file name")
    above = next(p for p in path.parents if p.exists() or p == p.parent)
    if not above.is_dir():
        raise OptionError(f"{where}: {_shown(above)} is a file, not a folder")
    for item in inputs:
        if _same_file(Path(item).resolve(), path):
            raise OptionError(f"{where}: is the input {item}; give another file")
    for folder in path.parents:
        owner = _owner(folder) if folder.is_dir() else None
        if owner is not None:
            raise OptionError(
                f"{where}: is inside {_shown(folder)}, {owner} (its files belong to it); "
                "write it elsewhere"
            )
    if not os.path.lexists(given):
        return "create"
    if not given.is_file():
        raise OptionError(f"{where}: exists and is not a file")
    if overwrite:
        return "replace"
    raise OptionError(
        f"{where}: exists; give {wording.option('overwrite', switch=True)} to replace it"
    )


def _table_format(target: str | Path, option: str) -> str:
    suffix = Path(target).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise OptionError(f"{option} {target}: use a .csv or .parquet file name")
    return TABLE_SUFFIXES[suffix]


def table_file_action(
    target: str | Path,
    *,
    inputs: Iterable[str | Path] = (),
    overwrite: bool = False,
    option: str = "output file",
) -> FileAction:
    """:func:`file_action` for a table file, whose name must end in ``.csv``, ``.txt`` or
    ``.parquet`` (:data:`TABLE_SUFFIXES`).

    Raises
    ------
    OptionError
        Another suffix, or what :func:`file_action` refuses.
    """
    _table_format(target, option)
    return file_action(target, inputs=inputs, overwrite=overwrite, option=option)


def write_table_file(table: UnitTable, target: str | Path, action: FileAction = "create") -> Path:
    """Write ``table`` to ``target``: Parquet for ``.parquet``, else CSV with units in the
    header (:meth:`~reanalyze.table.UnitTable.to_parquet`,
    :meth:`~reanalyze.table.UnitTable.to_csv`).

    The table is written to a temporary file beside ``target`` and moved into place at the
    end, so an error leaves nothing behind and ``target`` as it was. ``action`` comes from
    :func:`table_file_action`: with ``"create"`` a file that appeared at ``target`` since
    is not replaced either.

    Raises
    ------
    OptionError
        ``target`` is not a table file name.
    DataError
        ``action`` is ``"create"`` and a file appeared at ``target`` in the meantime.
    """
    path = Path(target)
    parquet = _table_format(path, "output file") == "parquet"
    try:
        with atomic_path(path, replace=action == "replace") as tmp:
            if parquet:
                table.to_parquet(tmp)
            else:
                table.to_csv(tmp)
    except FileExistsError as exc:
        if exc.filename != str(path):  # not the final move: a folder could not be made
            raise
        raise DataError(
            f"{target}: a file appeared there while this command ran; it was left as it is"
        ) from None
    return path


def _files(folder: Path) -> list[str]:
    skip = {folder / MARKER, folder / LOCK_FILE}
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p not in skip
    )


def _prune_empty(folder: Path, relative: str) -> None:
    parent = (folder / relative).parent
    while parent != folder and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


@contextlib.contextmanager
def publish_folder(target: str | Path, kind: str, action: Action) -> Iterator[Path]:
    """Yield an empty temporary folder; on success its files become ``target``'s.

    ``action`` comes from :func:`output_action`. On any exception the temporary folder is
    removed and ``target`` is left as it was.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "result"
    >>> with publish_folder(out, "plan", output_action(out, "plan")) as tmp:
    ...     _ = (tmp / "plan.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir())
    ['.reanalyze-output.json', 'plan.json']
    """
    root = Path(target)
    with temp_beside(root, folder=True) as tmp:
        yield tmp
        new_files = _files(tmp)
        if action == "create":
            write_marker(tmp, OutputMarker(kind=kind, complete=True, files=new_files))
            if root.exists():
                root.rmdir()  # empty (output_action said so)
            tmp.rename(root)
            return
        old = read_marker(root)
        owned = set(old.files) if (old is not None and action == "replace") else set()
        write_marker(root, OutputMarker(kind=kind, complete=False, files=sorted(owned)))
        for name in new_files:
            destination = root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.is_dir() and not destination.is_symlink():
                raise DataError(f"{destination}: is a folder; cannot write a file there")
            os.replace(tmp / name, destination)
        for name in sorted(owned - set(new_files)):
            stale = root / name
            if stale.is_file() or stale.is_symlink():
                stale.unlink()
                _prune_empty(root, name)
        write_marker(root, OutputMarker(kind=kind, complete=True, files=new_files))


@contextlib.contextmanager
def folder_lock(folder: str | Path, what: str = "folder") -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (created) while the block runs.

    The lock is an ``flock`` on ``folder/.reanalyze.lock``, which holds the holder's PID; the
    operating system releases it when the process ends, however it ends, so a lock is never
    stale. A second writer gets one line naming the holder.

    Raises
    ------
    DataError
        Another process holds the lock.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    handle = open(root / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held open
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise DataError(
                f"{root}: this {what} is being written by another reanalyze process "
                f"(PID {holder}); wait for it to finish or choose another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def check_complete(folder: str | Path, what: str) -> None:
    """Refuse a folder whose writer was interrupted (its marker says incomplete).

    Raises
    ------
    DataError
        The marker exists and says ``complete: false``.
    """
    marker = read_marker(folder)
    if marker is not None and not marker.complete:
        raise DataError(
            f"{folder}: incomplete {what} (its writer was interrupted or is still running); "
            "write it again"
        )


def write_output_file(file: str | Path, data: Mapping[str, Any], schema: type[Schema]) -> Schema:
    """Validate ``data`` with ``schema`` and write it to ``file`` as JSON, atomically.

    Only the keys of ``data`` are written, in their order (the schema's defaults are not
    added); the schema converts values to JSON types. Returns the validated model.
    """
    model = schema.model_validate(data)
    dumped = model.model_dump(mode="json", exclude_unset=True)
    ordered = {key: dumped[key] for key in data if key in dumped}
    with atomic_path(Path(file)) as tmp:
        tmp.write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")
    return model


def read_output_file(
    folder: str | Path, name: str, schema: type[Schema], *, what: str, noun: str
) -> Schema:
    """Validate ``folder/name``, the JSON file of a ``what`` folder, with ``schema``.

    Raises
    ------
    DataError
        An incomplete folder (:func:`check_complete`), no file, a damaged one, or one that
        fails the schema (``FILE: not a NOUN (where: why)``); each one line.
    """
    file = Path(folder) / name
    check_complete(folder, what)
    data = read_json(file, what)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise DataError(f"{file}: not a {noun} ({validation_message(exc)})") from None
