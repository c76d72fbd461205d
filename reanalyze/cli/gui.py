"""``reanalyze gui``: the browser interface (Streamlit), on 127.0.0.1 and a free port."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reanalyze.cli._app import app
from reanalyze.cli._common import _note, out
from reanalyze.gui.server import LOCAL


@app.command("gui")
def gui(
    host: Annotated[
        str, typer.Option(help="Address to serve on (another than 127.0.0.1 is warned about).")
    ] = LOCAL,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port (default 8501, or the next free one)."),
    ] = None,
    workdir: Annotated[
        Path,
        typer.Option(help="Working folder: runs/, mlflow.db and the sessions' uploads."),
    ] = Path("."),
    max_upload_mb: Annotated[
        int, typer.Option(min=1, help="Largest file a browser may upload, MB.")
    ] = 50,
) -> None:
    """Start the browser interface (upload, train, validate, simulate, plan) and print its URL.

    The server runs until Ctrl-C (or SIGTERM, SIGHUP); searches it started are stopped with
    it and can be resumed from the Train page of the next one.
    """
    from reanalyze.gui.server import serve

    def ready(url: str, folder: Path) -> None:
        out.print(f"reanalyze GUI: {url} (working folder {folder}; Ctrl-C to stop)",
                  markup=False, highlight=False)  # fmt: skip

    status = serve(host, port, workdir, max_upload_mb, on_ready=ready, say=_note,
                   option="--workdir")  # fmt: skip
    raise typer.Exit(status)
