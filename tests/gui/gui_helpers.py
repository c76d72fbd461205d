"""What the GUI tests share: pages under AppTest, a twin with an exact answer, small scans."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from twins import magnet_twin, tanh_member

from reanalyze.table import UnitTable

#: The analytic magnet of the twin below: M = (C/2)·[1 + tanh((T0 + A·µ0H − T)/w)].
T0, A, C = 30.0, 4.0, 0.05  # K, K/T, emu
WIDTHS = (1.0, 1.1, 1.2)  # K, one per ensemble member
FIELDS_OE = (100.0, 10000.0, 20000.0, 30000.0, 40000.0, 50000.0)


def page(name: str, session: dict[str, Any] | None = None, timeout: float = 120) -> Any:
    """The page ``name`` under Streamlit's AppTest, with session state ``session``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(
        f"from reanalyze.gui.views import {name}\n{name}.render()\n", default_timeout=timeout
    )
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at


def carried(at: Any, keys: tuple[str, ...] = ("gui.session", "gui.table", "gui.run")) -> dict:
    """The session state another page of the same session starts with."""
    return {k: at.session_state[k] for k in keys if k in at.session_state}


def plain(text: str) -> str:
    """A message shown in the page, without the Markdown escapes."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(elements: Any) -> list[str]:
    return [plain(str(e.value)) for e in elements]


def exact_m(t: np.ndarray, h_oe: np.ndarray, width: float) -> np.ndarray:
    """The analytic member's M (emu) at T (K) and H (Oe)."""
    return C / 2 * (1 + np.tanh((T0 + A * h_oe / 1e4 - t) / width))


def analytic_run(runs: Path, name: str = "analytic") -> Path:
    """A complete run folder whose twin is the analytic magnet (3 members), with its
    "measured" training table: the ensemble mean on 6 field lines, 0.5 K apart."""
    bundle = magnet_twin(
        [tanh_member(w, T0, A, C) for w in WIDTHS],
        {"T": (10.0, 60.0), "H": (100.0, 50000.0)},
        sample={"mass": 0.61, "mass_unit": "mg"},
    )
    bundle.summary = {"slow_axis": "H", "slow_unit": "Oe", "dataset": {"dataset": "analytic"}}
    folder = runs / name
    bundle.save(folder)
    t, h = np.meshgrid(np.arange(10.0, 60.01, 0.5), FIELDS_OE)
    m = np.mean([exact_m(t.ravel(), h.ravel(), w) for w in WIDTHS], axis=0)
    UnitTable(
        pd.DataFrame({"T": t.ravel(), "H": h.ravel(), "M": m}),
        {"T": ("temperature", "K"), "H": ("magnetic_field", "Oe"), "M": ("magnetic_moment", "emu")},
        sample=None,
    ).to_parquet(folder / "training.parquet")
    return folder


def scan_csv(fields_oe: tuple[float, ...] = (100.0, 20000.0, 50000.0), step: float = 2.0) -> bytes:
    """A small scan as a CSV with units in the headers (M of the analytic magnet, w = 1 K)."""
    t, h = np.meshgrid(np.arange(10.0, 60.01, step), fields_oe)
    frame = pd.DataFrame(
        {"T (K)": t.ravel(), "H (Oe)": h.ravel(), "M (emu)": exact_m(t.ravel(), h.ravel(), 1.0)}
    )
    return frame.to_csv(index=False).encode()
