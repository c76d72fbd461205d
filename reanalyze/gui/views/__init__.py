"""The GUI's pages, one module each, in the order a user works; each has ``render()``.

(The package is not called ``pages``: Streamlit would take a ``pages/`` folder beside
``app.py`` for pages of its own.)
"""

from __future__ import annotations

__all__ = ["PAGES"]

#: (module, title, icon) of every page, in the navigation's order.
PAGES = (
    ("data", "Data", ":material/table:"),
    ("train", "Train", ":material/model_training:"),
    ("validate", "Validate", ":material/rule:"),
    ("simulate", "Simulate", ":material/grid_on:"),
    ("property", "Property", ":material/functions:"),
    ("plan", "Plan", ":material/event_note:"),
    ("runs", "Runs", ":material/folder_open:"),
)
