"""HTML pieces of the report: escaped text, tables, embedded figures, sections, the page."""

from __future__ import annotations

import base64
import html
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reanalyze.report.data import FIGURES_DIR, SECTION_TITLES, Embedded, Image
from reanalyze.report.text import param_text

Entry = TypeVar("Entry")

__all__ = [
    "Section",
    "embed",
    "escape",
    "folders_section",
    "notes",
    "page",
    "pairs_table",
    "paragraph",
    "params_table",
    "table",
    "warning",
]


def escape(value: Any) -> str:
    """``value`` as HTML text (quotes escaped too)."""
    return html.escape(str(value), quote=True)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    table_id: str = "",
    row_classes: Sequence[str] = (),
) -> str:
    """An HTML table; every cell is escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        css = row_classes[i] if i < len(row_classes) and row_classes[i] else ""
        attr = f' class="{escape(css)}"' if css else ""
        body.append(f"<tr{attr}>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def pairs_table(pairs: Sequence[tuple[str, str]], table_id: str = "") -> str:
    """A two-column table of names and values."""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in pairs)
    return f'<table class="pairs"{ident}><tbody>{rows}</tbody></table>'


def params_table(params: Mapping[str, Any], table_id: str = "") -> str:
    """A plugin's parameters as a two-column table (name, value as ``--param`` takes it).

    Examples
    --------
    >>> "<tr><td>tec_widths</td><td>3, 10</td></tr>" in params_table({"tec_widths": [3.0, 10.0]})
    True
    """
    rows = [[name, param_text(value)] for name, value in params.items()]
    return table(["parameter", "value"], rows, table_id=table_id)


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def warning(text: str) -> str:
    return f'<p class="warning">{escape(text)}</p>'


def notes(items: Sequence[str]) -> str:
    if not items:
        return ""
    return '<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in items) + "</ul>"


def embed(figure: Embedded) -> str:
    """A ``<figure>`` holding the PNG as a ``data:`` URI (or a warning for a non-PNG file)."""
    if not isinstance(figure, Image):
        return warning(f"{figure.path} is not a PNG file; not embedded.")
    data = base64.b64encode(figure.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(figure.caption)}">'
        f'<figcaption>{escape(figure.caption)} <span class="file">'
        f"({FIGURES_DIR}/{escape(figure.name)})</span></figcaption></figure>"
    )


@dataclass
class Section:
    """One ``<section>``: its title (from :data:`SECTION_TITLES`), intro and body."""

    key: str
    intro: str
    body: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.key]

    def html(self) -> str:
        return (
            f'<section id="{self.key}"><h2>{escape(self.title)}</h2>'
            f'<p class="intro">{escape(self.intro)}</p>' + "\n".join(self.body) + "</section>"
        )


# ------------------------------------------------------------------ the page
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:2em}h3{margin-top:1.5em}
nav ol{columns:2;font-size:.95em;list-style:none;padding-left:1em}
p.intro{color:#333}p.lead{color:#555}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}table.pairs th{background:#fafafa;font-weight:600;white-space:nowrap}
tr.recommended td{background:#e8f5e9;font-weight:600}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}span.file{color:#888}
p.warning{background:#fff4e5;border-left:4px solid #f0a030;padding:.4em .7em}
p.verdict{background:#eef4fb;border-left:4px solid #3a78c2;padding:.4em .7em}
ul.notes{font-size:.92em;color:#333}p.notes-lead{font-size:.92em;color:#555;margin-bottom:0}footer{margin-top:3em;color:#555}
details summary{cursor:pointer;color:#3a78c2}
"""

_PAGE = string.Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reanalyze $version">
<title>$title</title>
<style>$css</style>
</head>
<body>
<header>
<h1>$title</h1>
<p class="lead">$lead</p>
<nav><ol>$toc</ol></nav>
</header>
<main>
$sections
</main>
<footer>
$about
</footer>
</body>
</html>
"""
)


def folders_section(
    key: str,
    intro: str,
    entries: Sequence[Entry],
    what: str,
    block: Callable[[int, Entry], list[str]],
) -> Section:
    """A section of input folders: ``block(index, entry)`` for each (numbered from 1), or a
    line saying that no ``what`` folders were given."""
    if not entries:
        return Section(key, intro, [paragraph(f"No {what} folders were given.")])
    body = [part for index, entry in enumerate(entries, start=1) for part in block(index, entry)]
    return Section(key, intro, body)


def page(title: str, lead: str, sections: Sequence[Section], about: Section, version: str) -> str:
    """The whole HTML document: header with contents, the sections, ``about`` as footer."""
    toc = "".join(f'<li><a href="#{s.key}">{escape(s.title)}</a></li>' for s in [*sections, about])
    return _PAGE.substitute(
        version=escape(version),
        title=escape(title),
        css=_CSS,
        lead=escape(lead),
        toc=toc,
        sections="\n".join(s.html() for s in sections),
        about=about.html(),
    )
