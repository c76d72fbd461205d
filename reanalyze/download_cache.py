"""The download cache: checksummed download of remote datasets with pooch, offline when cached.

A registry entry names a URL (``https://...`` or ``doi:10.xxxx/zenodo.yyy/file.csv``) and the
file's sha256. :func:`fetch` returns the cached file when its hash matches, without touching
the network; downloads otherwise; and never uses a file whose hash differs.

The cache folder is ``$REANALYZE_CACHE_DIR`` when set, else the user cache folder
(``~/.cache/reanalyze`` on Linux). To work offline, copy the published files there, or run
``reanalyze data seed FOLDER``, which copies every file of a folder whose sha256 matches a
registry entry.

Examples
--------
>>> from reanalyze.registry import load_registry
>>> source = load_registry().dataset("erco2").source
>>> path = fetch(source.url, source.sha256, source.filename)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pooch

from reanalyze._atomic import atomic_path
from reanalyze.errors import ChecksumError, FetchError, OfflineError
from reanalyze.wording import option

__all__ = ["CACHE_ENV", "cache_dir", "cached_path", "fetch", "file_sha256", "seed_cache"]

#: Environment variable overriding the cache folder.
CACHE_ENV = "REANALYZE_CACHE_DIR"


def cache_dir() -> Path:
    """The download cache folder (``$REANALYZE_CACHE_DIR`` or the user cache folder)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path(pooch.os_cache("reanalyze"))


def cached_path(filename: str) -> Path:
    """Where ``filename`` lives (or would live) in the cache."""
    return cache_dir() / filename


def file_sha256(path: Path) -> str:
    """The sha256 of a file, as lower-case hex."""
    return str(pooch.file_hash(str(path), alg="sha256"))


def fetch(url: str, sha256: str, filename: str, *, refresh: bool = False) -> Path:
    """Return the local path of a checksummed remote file, downloading it if needed.

    Parameters
    ----------
    url
        ``https://`` URL or ``doi:`` address of the file.
    sha256
        Expected checksum (hex).
    filename
        Name of the file in the cache.
    refresh
        Delete a cached copy whose checksum does not match and download again.

    Returns
    -------
    pathlib.Path
        The verified file in the cache.

    Raises
    ------
    ChecksumError
        The cached or downloaded file has another sha256 (the cached file is kept for
        inspection unless ``refresh``; a bad download is not kept).
    OfflineError
        The file is not cached and cannot be downloaded.
    """
    folder = cache_dir()
    path = folder / filename
    if path.exists():
        actual = file_sha256(path)
        if actual == sha256:
            return path
        if not refresh:
            raise ChecksumError(
                f"{path}: sha256 is {actual}, the registry expects {sha256}; delete the file "
                f"or fetch again with {option('refresh', switch=True)}"
            )
        path.unlink()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create the cache folder {folder}: {exc}") from None
    try:
        with _pooch_quiet():
            downloaded = pooch.retrieve(
                url, known_hash=f"sha256:{sha256}", fname=filename, path=folder, progressbar=False
            )
    except ValueError as exc:
        if "hash" in str(exc).lower():
            raise ChecksumError(
                f"{filename}: downloaded from {url} but its sha256 differs from the registry's "
                f"{sha256}; the file was not kept"
            ) from None
        raise FetchError(f"{filename}: cannot download from {url}: {exc}") from None
    except Exception as exc:  # requests/ftplib/DOI resolution errors: no network or no file
        raise OfflineError(
            f"{filename} is not in the cache and cannot be downloaded from {url} "
            f"({_reason(exc, url)}); to work offline put the file at {path} "
            f"(sha256 {sha256}) or run 'reanalyze data seed FOLDER'"
        ) from None
    return Path(downloaded)


def _reason(exc: Exception, url: str) -> str:
    """Why a download failed, in a few words and whole (never a URL cut in the middle)."""
    from urllib.parse import urlparse

    name = type(exc).__name__
    host = urlparse(url).hostname or url
    if name in ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout"):
        return f"{name}: no connection to {host}"
    response = getattr(exc, "response", None)
    if response is not None and getattr(response, "status_code", None):
        return f"HTTP {response.status_code} from {host}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{name}: {text}" if text else name


@contextlib.contextmanager
def _pooch_quiet() -> Iterator[None]:
    """pooch's "Downloading data from …" line is not reanalyze's (it shows with --verbose)."""
    from reanalyze.twin.quiet import is_verbose

    logger = pooch.get_logger()
    level = logger.level
    if not is_verbose():
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def seed_cache(folder: Path, expected: dict[str, str]) -> list[Path]:
    """Copy files from ``folder`` into the cache when their sha256 is expected.

    Parameters
    ----------
    folder
        Where copies of published files are (e.g. a USB stick, a shared drive).
    expected
        ``{sha256: cache filename}``, usually from the registry.

    Returns
    -------
    list of pathlib.Path
        The cache paths now holding verified files.
    """
    if not folder.is_dir():
        raise FetchError(f"{folder}: no such folder")
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    seeded = []
    for file in sorted(p for p in folder.iterdir() if p.is_file()):
        digest = file_sha256(file)
        if digest in expected:
            destination = target / expected[digest]
            if not destination.exists() or file_sha256(destination) != digest:
                with atomic_path(destination) as tmp:
                    shutil.copyfile(file, tmp)
            seeded.append(destination)
    return seeded
