"""``reanalyze registry``: validate the registry file, print its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reanalyze.cli._app import app
from reanalyze.cli._common import (
    out,
)

registry_app = typer.Typer(
    help="The registry file: validate it, print its schema.", no_args_is_help=True
)
app.add_typer(registry_app, name="registry")


@registry_app.command("validate")
def registry_validate(
    path: Annotated[Path | None, typer.Argument(help="Registry file (default: built-in).")] = None,
) -> None:
    """Validate a registry file against the schema."""
    from reanalyze.registry import load_registry, registry_path

    registry = load_registry(path)
    where = path or registry_path()
    out.print(
        f"{where}: valid ({len(registry.datasets)} datasets, {len(registry.loaders)} loaders, "
        f"{len(registry.properties)} property plugins, {len(registry.instruments)} instruments)"
    )


@registry_app.command("schema")
def registry_schema_cmd(
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write to a file.")] = None,
) -> None:
    """Print the JSON schema of registry.yaml."""
    from reanalyze._atomic import atomic_path
    from reanalyze.registry import registry_schema

    text = registry_schema()
    if out_file is None:
        print(text)
        return
    with atomic_path(out_file) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    out.print(f"wrote {out_file}")
