"""The plugin contract, run over every registered plugin (built-in and installed): one test per
(plugin, check) pair, the way scikit-learn's ``parametrize_with_checks`` runs its estimator
checks. A third-party package gets the same checks from :mod:`reanalyze.testing`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reanalyze.plugins import load_all
from reanalyze.synthetic import GENERATORS
from reanalyze.testing import parametrize_with_checks

PROPERTY_PLUGINS = sorted(load_all("reanalyze.properties").values(), key=lambda c: c.name)
LOADERS = sorted(load_all("reanalyze.loaders").values(), key=lambda c: c.name)


def _scan() -> object:
    table = GENERATORS["bean_rodbell_second_order"]().scan(seed=3)
    return table.filter(table.values("T") < 30.0)


def _csv(folder: Path) -> tuple[Path, dict[str, object]]:
    return _scan().to_csv(folder / "scan.csv"), {}  # type: ignore[attr-defined]


def _parquet(folder: Path) -> tuple[Path, dict[str, object]]:
    path = folder / "scan.parquet"
    _scan().to_parquet(path)  # type: ignore[attr-defined]
    return path, {}


def _quantum_design(folder: Path) -> tuple[Path, dict[str, object]]:
    """A MultiVu file as an MPMS3 writes it: header, [Data], CRLF, cp1252."""
    columns = ["Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)",
               "Moment (emu)", "M. Std. Err. (emu)"]  # fmt: skip
    header = ["[Header]", "; Quantum Design MPMS3 Data File", "TITLE,M(T) 1 T",
              "BYAPP, MPMS3, 1.1.6 Build 42", "INFO,ErCo2,SAMPLE_MATERIAL",
              "INFO,0.61,SAMPLE_MASS", "DATATYPE,COMMENT,1", "DATATYPE,TIME,2", "[Data]",
              ",".join(columns)]  # fmt: skip
    rows = [f",{5290.1 + 7.3 * i!r},{t!r},10000.0,{0.05 + 1 / t!r},1.2e-06"
            for i, t in enumerate(300.0 - 5.0 * k for k in range(20))]  # fmt: skip
    path = folder / "mt_1T.dat"
    path.write_bytes(("\r\n".join([*header, *rows]) + "\r\n").encode("cp1252"))
    return path, {}


def _webplotdigitizer(folder: Path) -> tuple[Path, dict[str, object]]:
    path = folder / "fig2.csv"
    path.write_text("1 T,,5000 Oe,\nX,Y,X,Y\n10,2.5,10,1.3\n20,1.2,20,0.9\n")
    return path, {"x": "T (K)", "y": "M (emu/g)"}


#: A sample file (and the options it needs) for each built-in loader.
SAMPLES: dict[str, Callable[[Path], tuple[Path, dict[str, object]]]] = {
    "delimited": _csv,
    "parquet": _parquet,
    "quantum_design": _quantum_design,
    "webplotdigitizer": _webplotdigitizer,
}


@parametrize_with_checks(PROPERTY_PLUGINS)
def test_property_plugins(plugin: type, check: Callable[..., None]) -> None:
    check(plugin)


@parametrize_with_checks(LOADERS)
def test_loaders(plugin: type, check: Callable[..., None], tmp_path: Path) -> None:
    name = plugin.name  # type: ignore[attr-defined]
    if name not in SAMPLES:
        pytest.skip(f"no sample file for the installed loader {name!r}")
    sample, options = SAMPLES[name](tmp_path)
    check(plugin, sample, **options)


def test_every_builtin_is_checked() -> None:
    assert {c.name for c in PROPERTY_PLUGINS} >= {  # type: ignore[attr-defined]
        "magnetocaloric", "superconducting_transport", "arpes_map"
    }  # fmt: skip
    assert {c.name for c in LOADERS} >= set(SAMPLES)  # type: ignore[attr-defined]
