"""Write files so that an error never leaves a half-written one behind.

Everything is first written to a temporary file or folder beside its target
(:func:`temp_beside`), then moved into place by one rename: :func:`atomic_path` for a file
(which can also refuse to replace one: :func:`place_new`), :func:`atomic_folder` for a
folder, :func:`reanalyze.outputs.publish_folder` for an output folder that may hold the
user's files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_folder", "atomic_path", "place_new", "temp_beside"]


@contextlib.contextmanager
def temp_beside(target: Path, *, folder: bool = False) -> Iterator[Path]:
    """Yield a new temporary file (or empty ``folder``) beside ``target``; removed on exit.

    The parent folder is created; the temporary gets the usual permissions (``mkstemp`` and
    ``mkdtemp`` would leave it private). Whatever is still at the temporary path when the
    block ends, however it ends, is removed: move it onto ``target`` inside the block.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix, suffix, where = f".{target.name}.", ".part", target.parent
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=where))
    else:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=where)
        os.close(handle)
        tmp = Path(name)
    try:
        os.chmod(tmp, (0o777 if folder else 0o666) & ~_umask())
        yield tmp
    finally:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp)
        elif tmp.exists() or tmp.is_symlink():
            tmp.unlink()


@contextlib.contextmanager
def atomic_path(target: Path, *, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` on success.

    The parent folder is created. On any exception the temporary file is removed and
    ``target`` is left as it was. With ``replace=False`` an existing ``target`` is never
    replaced, not even one that appeared while the block ran: the move raises
    :class:`FileExistsError` instead (see :func:`place_new`).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    with temp_beside(target) as tmp:
        yield tmp
        if replace:
            os.replace(tmp, target)
        else:
            place_new(tmp, target)


def place_new(source: Path, target: Path) -> None:
    """Move the file ``source`` to ``target``, which must not exist; in one step where the
    file system allows it.

    A hard link is made and ``source`` removed, so the check and the move are one operation
    (a rename would replace a file created in between). On a file system without hard links
    the check and the rename are two steps.

    Raises
    ------
    FileExistsError
        ``target`` exists (``source`` is left where it was).
    """
    try:
        os.link(source, target)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
    except OSError:  # no hard links here (FAT, some network shares): check, then rename
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.replace(source, target)
        return
    source.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; it replaces ``target`` on success.

    On any exception the temporary folder is removed and ``target`` is left as it was.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "result"
    >>> with atomic_folder(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (out / "a.txt").read_text()
    'done'
    """
    target = Path(target)
    with temp_beside(target, folder=True) as tmp:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
