"""The command line stays thin: every typer command parses its options, makes one library call
and prints, in at most :data:`MAX_BODY` lines (its docstring not counted).

The commands are found by reading ``reanalyze/cli/*.py`` (no import): a function decorated
with ``@<something>.command(...)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[1] / "reanalyze" / "cli"
#: The most lines a command's body may have, its docstring excluded.
MAX_BODY = 25


def _is_command(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "command"
    )


def _body_lines(function: ast.FunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body:
        return 0
    return (function.end_lineno or body[-1].lineno) - body[0].lineno + 1


def command_bodies(folder: Path = CLI) -> dict[str, int]:
    """``{"module.py:function": body lines}`` for every typer command under ``folder``."""
    sizes: dict[str, int] = {}
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef) and any(map(_is_command, node.decorator_list)):
                sizes[f"{path.name}:{node.name}"] = _body_lines(node)
    return sizes


def test_the_scan_finds_the_commands() -> None:
    """The scan sees the commands a user runs (so the size check below cannot pass empty)."""
    found = {key.split(":")[1] for key in command_bodies()}
    assert {"train", "validate_cmd", "simulate_cmd", "gui", "ui", "data_show"} <= found


def test_a_long_command_is_caught(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_BODY + 1))
    (tmp_path / "long.py").write_text(
        f'@app.command("long")\ndef long() -> None:\n    """Doc."""\n{body}\n'
    )
    (tmp_path / "short.py").write_text('@app.command()\ndef short() -> None:\n    """Doc."""\n')
    assert command_bodies(tmp_path) == {"long.py:long": MAX_BODY + 1, "short.py:short": 0}


def test_every_command_body_is_short() -> None:
    offenders = {k: n for k, n in command_bodies().items() if n > MAX_BODY}
    listed = ", ".join(f"{k} ({n} lines)" for k, n in sorted(offenders.items()))
    assert not offenders, f"command bodies over {MAX_BODY} lines: {listed}"
