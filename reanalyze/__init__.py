"""reanalyze: digital twins of scanning physical-property measurements.

The top level re-exports what a user needs to get data in::

    import reanalyze as rz
    table = rz.load("erco2")

Heavy dependencies (TensorFlow, matplotlib) are never imported here.
"""

from reanalyze.errors import (
    ChecksumError,
    ColumnError,
    DataError,
    FetchError,
    OfflineError,
    PluginError,
    ReanalyzeError,
    RegistryError,
    UnitError,
)
from reanalyze.load import load, load_dataset, load_file, load_files
from reanalyze.registry import load_registry
from reanalyze.table import ColumnSpec, Sample, TableSchema, UnitTable, concat
from reanalyze.units import convert, ureg

__version__ = "0.1.0"

__all__ = [
    "ChecksumError",
    "ColumnError",
    "ColumnSpec",
    "DataError",
    "FetchError",
    "OfflineError",
    "PluginError",
    "ReanalyzeError",
    "RegistryError",
    "Sample",
    "TableSchema",
    "UnitError",
    "UnitTable",
    "__version__",
    "concat",
    "convert",
    "load",
    "load_dataset",
    "load_file",
    "load_files",
    "load_registry",
    "ureg",
]
