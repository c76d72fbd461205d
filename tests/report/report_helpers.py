"""For the report tests: the HTML read back (headings, images, links, tags, tables) and a plan."""

from __future__ import annotations

import math
from collections import Counter
from html.parser import HTMLParser
from typing import Any

HEADINGS = [
    "1. Dataset and search",
    "2. Training data vs the twin",
    "3. Held-out scan lines: the twin vs classic interpolation",
    "4. Learning curves of the best trials",
    "5. The simulated grid",
    "6. Properties",
    "7. Plans: step, cost and accuracy",
    "8. About this report",
]
#: a cell printed with 4 significant digits is within this relative error of the number
REL_4_DIGITS = 5e-4 + 1e-9
VERDICT = "Step 0.5 T: rms_rel < 2 % & peak within 0.5 K <b>for 6 h</b>."
HOSTILE_NOTE = "<script>alert('x')</script> finest step not converged?"


class Page(HTMLParser):
    """Headings, images, links, tags, and every table's rows by id."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.h2: list[str] = []
        self.h3: list[str] = []
        self.images: list[str] = []
        self.urls: list[str] = []
        self.tags: Counter[str] = Counter()
        self.tables: dict[str, list[tuple[str, list[str]]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.text: list[str] = []
        self._heading: str | None = None
        self._table: str | None = None
        self._row: list[str] | None = None
        self._row_class = ""
        self._cell: list[str] | None = None
        self._thead = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] += 1
        for key in ("src", "href"):
            if a.get(key) is not None:
                self.urls.append(str(a[key]))
        if tag == "img":
            self.images.append(str(a.get("src")))
        elif tag in ("h2", "h3"):
            self._heading = ""
        elif tag == "table":
            self._table = a.get("id") or f"anonymous-{self.tags['table']}"
            self.tables[self._table] = []
        elif tag == "thead":
            self._thead = True
        elif tag == "tr":
            self._row, self._row_class = [], a.get("class") or ""
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3") and self._heading is not None:
            (self.h2 if tag == "h2" else self.h3).append(self._heading.strip())
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._thead:
                self.headers[self._table] = self._row
            else:
                self.tables[self._table].append((self._row_class, self._row))
            self._row = None
        elif tag == "thead":
            self._thead = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading += data
        if self._cell is not None:
            self._cell.append(data)

    def pairs(self, table: str) -> dict[str, str]:
        return {cells[0]: cells[1] for _, cells in self.tables[table]}

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def number(cell: str) -> float:
    """The leading number of a cell ('12.35', '0.5 ★', '21.19 ± 0.58 J/(kg*K)')."""
    head = cell.replace("★", " ").split()[0]
    return float("nan") if head == "—" else float(head)


def close(cell: str, value: float | None, rel: float = REL_4_DIGITS) -> bool:
    if value is None or not math.isfinite(value):
        return cell.strip() == "—"
    return math.isclose(number(cell), value, rel_tol=rel, abs_tol=1e-12)


# ------------------------------------------------------------------ a plan
PLAN_ROWS = [
    {
        "step": 1.0,
        "unit": "T",
        "lines": 6,
        "points": 1506,
        "hours": 12.3,
        "days": 0.5125,
        "rms": 0.8123,
        "rms_rel": 0.0312,
        "tv_ratio": 1.4,
        "peak": 31.2,
        "peak_error": -1.1,
        "peak_rel_error": -0.034,
        "peak_position": 36.4,
        "peak_position_error": 0.4,
        "spread": 0.3,
        "meets": False,
    },
    {
        "step": 0.5,
        "unit": "T",
        "lines": 11,
        "points": 2761,
        "hours": 20.71,
        "days": 0.8629,
        "rms": 0.2468,
        "rms_rel": 0.0094,
        "tv_ratio": 1.06,
        "peak": 32.05,
        "peak_error": -0.25,
        "peak_rel_error": -0.0077,
        "peak_position": 36.1,
        "peak_position_error": 0.1,
        "spread": 0.28,
        "meets": True,
    },
    {
        "step": 0.2,
        "unit": "T",
        "lines": 26,
        "points": 6526,
        "hours": 46.02,
        "days": 1.9175,
        "rms": 0.0,
        "rms_rel": 0.0,
        "tv_ratio": 1.0,
        "peak": 32.3,
        "peak_error": 0.0,
        "peak_rel_error": 0.0,
        "peak_position": 36.0,
        "peak_position_error": float("nan"),
        "spread": 0.27,
        "meets": True,
    },
]


def plan_json() -> dict[str, Any]:
    """A plan.json following the contract of docs/reports.md."""
    return {
        "property": "magnetocaloric",
        "run": "run",
        "axis": "H",
        "axis_unit": "T",
        "range": [0.01, 5.0],
        "fixed_axes": {"T": {"start": 11, "stop": 59, "step": 0.5, "unit": "K"}},
        "quantity": {
            "name": "-ΔS_M",
            "unit": "J/(kg*K)",
            "x": "T",
            "x_unit": "K",
            "label": "-ΔS_M at 5 T",
        },
        "instrument": {"name": "mpms3", "field_ramp_oe_per_s": 100.0},
        "tolerance": {"rms_rel": 0.02, "peak_rel": 0.02, "peak_position": 0.5, "tv_ratio": 1.1},
        "params": {"low_field": "lowest"},
        "rows": PLAN_ROWS,
        "recommended": 1,
        "verdict": VERDICT,
        "notes": [HOSTILE_NOTE],
    }
