"""The typer application every command module registers on."""

from __future__ import annotations

import typer

__all__ = ["Interrupted", "app"]


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) during a command that says what it means for its output: the
    message is printed as it is and the exit status is 130."""


app = typer.Typer(
    name="reanalyze",
    help="Digital twins of scanning physical-property measurements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # docstrings are wrapped at 100 columns in the source: markdown mode joins a paragraph's
    # lines, so the help is wrapped to the terminal instead of broken twice
    rich_markup_mode="markdown",
)


@app.callback()
def _global_options(
    verbose: bool = typer.Option(
        False,
        "--verbose",
        help="Also show the libraries' own messages (TensorFlow, MLflow, Python warnings); "
        "the same as REANALYZE_VERBOSE=1.",
    ),
) -> None:
    if verbose:
        from reanalyze.cli._common import be_verbose

        be_verbose()
