"""Checksummed fetching against a real HTTP server on 127.0.0.1, and offline behaviour."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from reanalyze.download_cache import cache_dir, fetch, seed_cache
from reanalyze.errors import ChecksumError, OfflineError


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_then_offline_reuse(server: tuple[str, Path]) -> None:
    url, root = server
    data = b"T (K),M (emu)\n1,2\n"
    (root / "d.csv").write_bytes(data)
    path = fetch(f"{url}/d.csv", sha(data), "d.csv")
    assert path == cache_dir() / "d.csv" and path.read_bytes() == data
    (root / "d.csv").unlink()  # the server no longer has it: the cache must answer
    assert fetch(f"{url}/d.csv", sha(data), "d.csv") == path


def test_downloaded_file_with_wrong_hash_is_refused_and_not_kept(server: tuple[str, Path]) -> None:
    url, root = server
    (root / "d.csv").write_bytes(b"tampered")
    with pytest.raises(ChecksumError, match="sha256 differs"):
        fetch(f"{url}/d.csv", sha(b"original"), "d.csv")
    assert not (cache_dir() / "d.csv").exists()


def test_cached_file_with_wrong_hash_is_an_error_never_reused(server: tuple[str, Path]) -> None:
    url, root = server
    good = b"good data"
    (root / "d.csv").write_bytes(good)
    cache_dir().mkdir(parents=True, exist_ok=True)
    (cache_dir() / "d.csv").write_bytes(b"corrupted")
    with pytest.raises(ChecksumError, match=r"d\.csv: sha256 is .* refresh=True"):
        fetch(f"{url}/d.csv", sha(good), "d.csv")
    assert fetch(f"{url}/d.csv", sha(good), "d.csv", refresh=True).read_bytes() == good


def test_offline_with_empty_cache_names_file_and_place() -> None:
    # nothing listens on port 9 of the loopback address: the connection is refused
    with pytest.raises(OfflineError) as info:
        fetch("http://127.0.0.1:9/x.csv", "0" * 64, "x.csv")
    message = str(info.value)
    assert "x.csv is not in the cache" in message
    assert str(cache_dir() / "x.csv") in message
    assert "\n" not in message


def test_seed_cache_copies_only_matching_files(tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"aaa")
    (folder / "other.csv").write_bytes(b"zzz")
    seeded = seed_cache(folder, {sha(b"aaa"): "registered.csv"})
    assert seeded == [cache_dir() / "registered.csv"]
    assert not (cache_dir() / "other.csv").exists()


def test_registry_dataset_from_seeded_cache_needs_no_network(seeded_cache: Path) -> None:
    from reanalyze.load import load_dataset

    table = load_dataset("pdh")
    assert table.columns == ["T", "H", "R"]
    assert table.metadata["sha256"].startswith("5d6498d8")
