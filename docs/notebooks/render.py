"""Execute the ErCo2 walkthrough on a real kernel and write its rendered copy.

``erco2-walkthrough.py`` (jupytext "percent" format) is the source kept in git. This script
pairs it into a notebook with jupytext, executes it with nbclient on an IPython kernel of
*this* Python (a kernel spec written into a temporary folder that points at
``sys.executable``: nothing is installed into the user's Jupyter folders, and a fresh venv
without ``ipykernel install`` works), and writes ``erco2-walkthrough.md`` (nbconvert
Markdown) with the figures as PNGs in ``erco2-walkthrough_files/``. The notebook itself
writes its run folder, results and MLflow store under ``erco2-walkthrough/`` in a scratch
working directory, never into ``docs/``.

Usage::

    python docs/notebooks/render.py                    # the full budget, into docs/notebooks
    python docs/notebooks/render.py --budget small     # what CI executes
    python docs/notebooks/render.py --workdir /tmp/w --no-write   # execute only

``tests/test_notebook.py`` executes the notebook through :func:`execute` as well.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "erco2-walkthrough.py"
NAME = SOURCE.stem
BUDGETS = ("small", "full")
KERNEL = "reanalyze-walkthrough"
#: Seconds one cell may run (the full budget's training is the longest).
CELL_TIMEOUT = {"small": 900, "full": 3600}


def read_notebook(source: Path = SOURCE) -> Any:
    """The notebook paired with the jupytext ``source`` (no outputs)."""
    import jupytext

    return jupytext.read(source)


def write_kernel_spec(folder: Path, budget: str) -> Path:
    """A kernel spec for this Python in ``folder/kernels/KERNEL``; returns ``folder/kernels``.

    The kernel runs headless (``MPLBACKEND=Agg``; the notebook switches to the inline
    backend itself), reads the budget from ``REANALYZE_NOTEBOOK_BUDGET`` and keeps IPython's
    profile and history in ``folder``, not in the user's home.
    """
    kernels = folder / "kernels"
    spec = kernels / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (folder / "ipython").mkdir(exist_ok=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({sys.executable})",
        "language": "python",
        "env": {
            "MPLBACKEND": "Agg",
            "REANALYZE_NOTEBOOK_BUDGET": budget,
            "IPYTHONDIR": str(folder / "ipython"),
            "PYTHONUNBUFFERED": "1",
        },
    }
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1), encoding="utf-8")
    return kernels


def execute(
    workdir: Path,
    budget: str = "small",
    *,
    source: Path = SOURCE,
    timeout: int | None = None,
) -> tuple[Any, float]:
    """Execute the notebook in ``workdir`` with ``budget``; the executed notebook and seconds.

    Raises
    ------
    ValueError
        An unknown budget.
    nbclient.exceptions.CellExecutionError
        A cell raised (the message names the cell and the error).
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    nb = read_notebook(source)
    with tempfile.TemporaryDirectory(prefix="reanalyze-kernel-") as scratch:
        root = Path(scratch)
        kernels = write_kernel_spec(root, budget)

        class Client(NotebookClient):
            """nbclient with this Python's kernel spec; it owns (and shuts down) the kernel."""

            def create_kernel_manager(self) -> Any:
                self.km = AsyncKernelManager(
                    kernel_name=KERNEL,
                    kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
                    connection_file=str(root / "connection.json"),
                    transport="ipc",  # Unix sockets: no ports to collide, no TCP warning
                    ip=str(root / "ipc"),
                )
                return self.km

        client = Client(
            nb,
            timeout=timeout or CELL_TIMEOUT[budget],
            startup_timeout=120,
            allow_errors=False,
            resources={"metadata": {"path": str(workdir)}},
        )
        started = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - started
    return nb, seconds


def cell_errors(nb: Any) -> list[str]:
    """``ename: evalue`` of every error output of an executed notebook."""
    return [
        f"{out.get('ename')}: {out.get('evalue')}"
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def notebook_text(nb: Any) -> str:
    """Every text output (streams, text/plain and text/markdown) of an executed notebook."""
    parts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            data = out.get("data", {})
            for mime in ("text/markdown", "text/plain"):
                if mime in data:
                    parts.append(data[mime])
    return "\n".join(parts)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def to_markdown(nb: Any, budget: str, seconds: float) -> tuple[str, dict[str, bytes]]:
    """The rendered Markdown (with its header) and the figure files it links to."""
    from nbconvert import MarkdownExporter

    exporter = MarkdownExporter()
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": f"{NAME}_files", "unique_key": NAME}
    )
    cores = os.cpu_count() or 1
    load = os.getloadavg()[1] if hasattr(os, "getloadavg") else float("nan")
    header = (
        f"<!-- Rendered by docs/notebooks/render.py from {SOURCE.name}: edit that file and "
        "render again, not this one. -->\n\n"
        f"> Rendered from [`{SOURCE.name}`]({SOURCE.name}) with "
        f"`REANALYZE_NOTEBOOK_BUDGET={budget}`, executed in {_duration(seconds)} on "
        f"{cores} CPU cores (load average {load:.1f} at the end; {date.today().isoformat()}). "
        "CI executes the same notebook with the `small` budget (`tests/test_notebook.py`).\n\n"
    )
    return header + body, dict(resources.get("outputs", {}))


def write_rendered(markdown: str, files: dict[str, bytes], out_dir: Path = HERE) -> Path:
    """Write ``NAME.md`` and its figures into ``out_dir``; old figures of it are replaced."""
    figures = out_dir / f"{NAME}_files"
    figures.mkdir(parents=True, exist_ok=True)
    for old in figures.glob(f"{NAME}_*.png"):  # only the files this script writes
        old.unlink()
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    target = out_dir / f"{NAME}.md"
    tmp = target.with_suffix(".md.tmp")
    tmp.write_text(markdown, encoding="utf-8")
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    """Execute the walkthrough and write the rendered copy; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", choices=BUDGETS, default="full")
    parser.add_argument("--workdir", type=Path, help="where the notebook runs (default: temp)")
    parser.add_argument("--out", type=Path, default=HERE, help="where the .md and figures go")
    parser.add_argument("--no-write", action="store_true", help="execute only")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError

    with tempfile.TemporaryDirectory(prefix="reanalyze-walkthrough-") as scratch:
        workdir = args.workdir or Path(scratch)
        try:
            nb, seconds = execute(workdir, args.budget)
        except CellExecutionError as exc:
            lines = [line for line in str(exc).splitlines() if line.strip()]
            print(f"error: {SOURCE.name}: a cell failed: {lines[-1] if lines else exc}",
                  file=sys.stderr)  # fmt: skip
            return 1
    print(f"executed {SOURCE.name} with the {args.budget} budget in {_duration(seconds)}")
    if not args.no_write:
        markdown, files = to_markdown(nb, args.budget, seconds)
        target = write_rendered(markdown, files, args.out)
        print(f"wrote {target} and {len(files)} figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
