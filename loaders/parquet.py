"""Parquet files written by reanalyze (units and sample in the file's metadata).

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> from reanalyze.table import UnitTable
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
>>> _ = UnitTable(pd.DataFrame({"T": [1.0]}), {"T": ("temperature", "K")}).to_parquet(path)
>>> ParquetLoader().load(path).unit("T")
'K'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reanalyze.errors import DataError
from reanalyze.loaders.base import Loader
from reanalyze.table import UnitTable

__all__ = ["ParquetLoader"]


class ParquetLoader(Loader):
    """Parquet tables written by :meth:`reanalyze.table.UnitTable.to_parquet`.

    Options: ``columns`` (keep these, in order) and ``rename`` (``{old: new}``); units and
    kinds come from the file.
    """

    name = "parquet"
    description = "Parquet tables written by reanalyze (units in the file's metadata)"
    suffixes = (".parquet", ".pq")

    def sniff(self, path: Path, head: str) -> bool:
        """Parquet files start with the magic bytes ``PAR1``."""
        return head.startswith("PAR1") or path.suffix.lower() in self.suffixes

    def load(
        self,
        path: Path,
        *,
        columns: Sequence[str] | None = None,
        rename: Mapping[str, str] | None = None,
        **options: Any,
    ) -> UnitTable:
        """Read the table; ``columns`` and ``rename`` as for every loader."""
        unused = sorted(k for k, v in options.items() if v not in (None, "drop"))
        if unused:
            raise DataError(f"{path}: option(s) {unused} do not apply to Parquet files")
        if Path(path).is_dir():
            raise DataError(f"{path}: is a folder, not a data file")
        table = UnitTable.read_parquet(path)
        if columns:
            table = table.select(list(columns))
        if rename:
            table = table.rename(rename)
        return table.with_metadata(source=str(path))
