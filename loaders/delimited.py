"""Delimited text (CSV, TSV, semicolon- or space-separated) with units in the headers.

Headers like ``Temperature (K)`` or ``T [K]`` give each column its unit. Files written by
:meth:`reanalyze.table.UnitTable.to_csv` start with a ``# reanalyze-table: {...}`` line that
restores kinds, units, sample and metadata exactly. Other ``#`` lines before the header are
comments. For files without units, give them explicitly (``units={"X1": "K"}``).

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "mt.csv"
>>> _ = path.write_text("Temperature (K),Field (Oe),Moment (emu)\\n10,1000,0.05\\n11,1000,0.04\\n")
>>> table = DelimitedLoader().load(path)
>>> table.columns, table.unit("Field")
(['Temperature', 'Field', 'Moment'], 'Oe')
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from reanalyze.errors import DataError
from reanalyze.loaders.base import Loader, build_table, read_text
from reanalyze.table import SCHEMA_KEY, TableSchema, UnitTable

__all__ = ["DelimitedLoader"]

_DELIMITERS = ",\t;| "


def _split_comments(text: str) -> tuple[list[str], str]:
    lines = text.splitlines()
    comments = []
    start = 0
    for start, line in enumerate(lines):  # noqa: B007 - start is used after the loop
        if line.strip() and not line.lstrip().startswith("#"):
            break
        if line.strip():
            comments.append(line.lstrip()[1:].strip())
    else:
        start = len(lines)
    return comments, "\n".join(lines[start:])


def _sniff_delimiter(body: str, path: Path) -> str:
    sample = "\n".join(body.splitlines()[:20])
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = body.splitlines()[0]
        counts = {d: first.count(d) for d in ",\t;"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


class DelimitedLoader(Loader):
    """Delimited text tables: one header line (with units) and rows of numbers.

    Options (besides those of :class:`~reanalyze.loaders.base.LoadOptions`)
    -------------------------------------------------------------------------
    delimiter
        Field separator; guessed from the file when not given.
    """

    name = "delimited"
    description = "Delimited text (CSV/TSV) with units in the headers"
    suffixes = (".csv", ".tsv", ".txt", ".tab")

    def load(self, path: Path, *, delimiter: str | None = None, **options: Any) -> UnitTable:
        """Read a delimited file into a :class:`~reanalyze.table.UnitTable`."""
        path = Path(path)
        text = read_text(path)
        comments, body = _split_comments(text)
        if not body.strip():
            raise DataError(f"{path}: no header line and no data (only comments)")
        if body.lstrip()[0] in "{[<":
            raise DataError(f"{path}: not a delimited table (looks like JSON, XML or HTML)")
        schema = self._stored_schema(comments, path)
        sep = delimiter or _sniff_delimiter(body, path)
        first_line = body.lstrip("\n").splitlines()[0]
        if sep == " ":
            raw_headers = first_line.split()
        else:
            raw_headers = next(csv.reader([first_line], delimiter=sep))
        raw_headers = [h.strip() for h in raw_headers if h.strip()]
        repeated = sorted({h for h in raw_headers if raw_headers.count(h) > 1})
        if repeated:
            raise DataError(f"{path}: duplicate column header(s) {repeated}")
        try:
            frame = pd.read_csv(
                io.StringIO(body),
                sep=r"\s+" if sep == " " else sep,
                dtype=str,
                skipinitialspace=True,
                keep_default_na=False,
                engine="python",
            )
        except (pd.errors.ParserError, csv.Error) as exc:
            message = str(exc).strip().splitlines()[-1]
            raise DataError(f"{path}: not a delimited table ({message})") from None
        frame.columns = pd.Index([str(c).strip() for c in frame.columns])
        frame = frame.loc[:, [not c.startswith("Unnamed:") for c in frame.columns]]
        if frame.empty or len(frame.columns) < 1:
            raise DataError(f"{path}: header found but no data rows")
        frame = frame.replace({"": None})
        if (
            len(frame.columns) == 1
            and pd.to_numeric(frame.iloc[:, 0], errors="coerce").isna().all()
        ):
            raise DataError(f"{path}: not a delimited table (one column of text)")
        if schema is not None:
            return self._load_stored(frame, schema, path, options)
        return build_table(frame, source=str(path), **options)

    @staticmethod
    def _stored_schema(comments: list[str], path: Path) -> TableSchema | None:
        for line in comments:
            if line.startswith(f"{SCHEMA_KEY}:"):
                try:
                    return TableSchema.model_validate(json.loads(line.split(":", 1)[1]))
                except (ValidationError, json.JSONDecodeError) as exc:
                    raise DataError(f"{path}: damaged {SCHEMA_KEY} line ({exc})") from None
        return None

    @staticmethod
    def _load_stored(
        frame: pd.DataFrame, schema: TableSchema, path: Path, options: dict[str, Any]
    ) -> UnitTable:
        headers = {
            f"{name} ({spec.unit})" if spec.unit and spec.unit != "dimensionless" else name: name
            for name, spec in schema.columns.items()
        }
        unknown = [c for c in frame.columns if c not in headers]
        if unknown:
            raise DataError(f"{path}: column(s) {unknown} are not in the file's {SCHEMA_KEY} line")
        frame = frame.rename(columns=headers)
        kinds = {n: s.kind for n, s in schema.columns.items()}
        units = {n: s.unit for n, s in schema.columns.items() if s.kind != "label"}
        table = build_table(
            frame,
            source=str(path),
            **{"units": units, "kinds": kinds, "columns": list(frame.columns), **options},
        )
        metadata = {**schema.metadata, "notes": table.metadata.get("notes", [])}
        metadata["source"] = str(path)
        return table.with_sample(schema.sample).with_metadata(**metadata)
