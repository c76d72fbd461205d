"""``reanalyze demo``: everything end to end, offline."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from reanalyze.cli._app import app
from reanalyze.cli._common import (
    err,
    out,
)
from reanalyze.errors import OptionError


@app.command("demo")
def demo_cmd(
    case: Annotated[
        str, typer.Option(help="synthetic (exact answer known) or erco2 (the paper's data).")
    ] = "synthetic",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for everything.")] = Path(
        "reanalyze-demo"
    ),
    trials: Annotated[
        int | None, typer.Option(min=1, help="Search trials (default: the recipe's).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    max_epochs: Annotated[
        int | None,
        typer.Option(min=1, help="Cap on epochs per network (a quicker, rougher twin)."),
    ] = None,
) -> None:
    """Run everything end to end, offline: scan → twin → simulate → ΔS_M → plan → report."""
    import time

    from reanalyze.demo import CASES, run_demo
    from reanalyze.outputs import output_action

    if case not in CASES:  # refused before the progress display starts
        raise OptionError(f"--case must be one of {', '.join(CASES)}, got {case!r}")
    output_action(out_dir, "demo", overwrite=None, option="--out")
    started = time.perf_counter()
    with _stages(trials) as (said, trained):
        result = run_demo(
            case, out_dir, trials=trials, seed=seed, max_epochs=max_epochs, progress=said,
            train_progress=trained, option="--out",
        )  # fmt: skip
    out.print(f"[bold]reanalyze demo ({case})[/bold]: {result.verdict}")
    for line in result.lines():
        out.print(line, markup=False, highlight=False)
    out.print(f"wall time {time.perf_counter() - started:.0f} s")


@contextlib.contextmanager
def _stages(trials: int | None) -> Iterator[tuple[Callable[[str], None], Callable[[Any], None]]]:
    """A bar of the demo's six stages, with one of the search's trials under stage 2."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from reanalyze.twin.recipes import get_recipe

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        stage = bar.add_task("starting", total=6)
        total = trials or get_recipe("default").n_trials
        trial_task = bar.add_task("  trials", total=total, visible=False)

        def said(message: str) -> None:
            number = int(message.split("/", 1)[0]) if message[:1].isdigit() else 0
            bar.update(stage, completed=max(number - 1, 0), description=message)
            bar.update(trial_task, visible=number == 2)

        def trained(p: Any) -> None:
            best = f"{p.best:.5f}" if p.best is not None else "-"
            text = f"  trials: {p.complete} done, {p.pruned} stopped early, best score {best}"
            bar.update(trial_task, completed=p.complete + p.pruned, description=text)

        yield said, trained
        bar.update(stage, completed=6, description="done")
