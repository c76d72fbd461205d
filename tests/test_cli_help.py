"""Every command's ``--help`` reads whole in an 80-column terminal.

Rich lays the options out as a table: one long option name, or a switch shown as a pair
(``--overwrite --no-overwrite``), widens the name columns until the help text is squeezed
into a narrow column and names are cut (``--allow-extrapolat…``). A switch that is off by
default is offered only as itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from reanalyze.cli import app


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The word sequence of every command (``("data", "inspect")``, ``("train",)``)."""
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*path, name))
    else:
        yield path


COMMANDS = sorted(command_paths(typer.main.get_command(app)))


def test_every_command_is_found() -> None:
    assert ("train",) in COMMANDS and ("data", "inspect") in COMMANDS and len(COMMANDS) > 20


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_help_at_80_columns_cuts_nothing(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert [line for line in lines if "…" in line] == [], result.output
    # a switch off by default is not offered as its negation too
    assert "--no-overwrite" not in result.output and "--no-allow-extrap" not in result.output
    # the help text keeps a column wide enough to read (at least a third of the width)
    option_rows = [line for line in lines if line.startswith("│ ") and " --" in line[:12]]
    for row in option_rows:
        words_at = row.rstrip("│ ").rsplit("  ", 1)[-1]
        assert len(row) - row.index(words_at) >= 26, row
