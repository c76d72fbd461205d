"""``reanalyze gui``'s bad command lines: one line each, exit 2 for a misused option, 1 when
the port is taken; and the server started and stopped as a user does (its pages are used by
the Chromium test)."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest
from server_helpers import first_line, free_port, serving

from reanalyze.cli import main
from reanalyze.servers import port_in_use


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["gui", *args])
    err = capsys.readouterr().err
    return code, err


def test_a_workdir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    code, err = run(capsys, "--workdir", str(file))
    assert code == 2
    assert err.strip() == f"error: --workdir {file}: exists and is not a folder"
    assert file.read_text() == "mine"


@pytest.mark.parametrize(
    ("args", "word"),
    [(["--max-upload-mb", "0"], "--max-upload-mb"), (["--port", "70000"], "--port")],
)
def test_out_of_range_options_are_usage_errors(
    args: list[str], word: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, "--workdir", str(tmp_path), *args)
    assert code == 2 and err.count("\n") == 1 and word in err


def test_a_port_in_use_is_refused_naming_what_holds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code, err = run(capsys, "--workdir", str(tmp_path), "--port", str(port))
    assert code == 1 and err.count("\n") == 1
    assert f"port {port} on 127.0.0.1 is already in use" in err


@pytest.mark.slow
def test_the_server_prints_its_url_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """Once Streamlit answers: one line with the URL and the working folder; SIGTERM stops it
    with exit status 143 and ``stopped the GUI``, and the port is free again."""
    port, workdir = free_port(), tmp_path / "work"
    with serving(["gui", "--workdir", str(workdir), "--port", str(port)]) as gui:
        line = first_line(gui)
        url = f"http://127.0.0.1:{port}/"
        assert (
            line == f"reanalyze GUI: {url} (working folder {workdir.resolve()}; Ctrl-C to stop)\n"
        )
        gui.send_signal(signal.SIGTERM)
        stdout, stderr = gui.communicate(timeout=90)
    assert gui.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.strip().splitlines()[-1] == "stopped the GUI" and stdout == ""
    assert (workdir / ".reanalyze-gui" / "server.log").is_file()
    assert not port_in_use(port)
