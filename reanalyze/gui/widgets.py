"""Pieces several pages share: one-line errors, the run picker, the grid editor, the plugin
parameter editor, figures and downloads.

Widget keys start with the page's name (``"simulate.grid.T.start"``), so pages never share a
widget's state by accident and tests can find each widget by its key.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import streamlit as st

from reanalyze.errors import ReanalyzeError
from reanalyze.gui.runs import RunEntry, complete_runs, load_twin
from reanalyze.gui.state import OPTION_WORDS, Session
from reanalyze.units import pretty_unit
from reanalyze.wording import front_end_words

__all__ = [
    "Outcome",
    "download",
    "download_files",
    "download_folder",
    "escape",
    "grid_editor",
    "grid_step",
    "gui_words",
    "image_grid",
    "nice_step",
    "params_editor",
    "reported",
    "run_picker",
    "show_figure",
    "synced_selectbox",
    "write_table",
    "zip_folder",
]

#: Commands named in library messages, and where the GUI does the same.
GUI_WORDS = {"reanalyze validate RUN": "the Validate page"}
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")


def escape(text: str) -> str:
    """``text`` with Markdown's special characters escaped (shown as written).

    >>> escape("a_b*c")
    'a\\\\_b\\\\*c'
    """
    return _MARKDOWN.sub(r"\\\1", text)


@dataclass
class Outcome:
    """Whether a block :func:`reported` ran without a reanalyze error, and the error."""

    error: str | None = None

    @property
    def ok(self) -> bool:
        """No error."""
        return self.error is None


@contextlib.contextmanager
def reported(names: Mapping[str, str] | None = None) -> Iterator[Outcome]:
    """Show a :class:`~reanalyze.errors.ReanalyzeError` of the block as one line, no traceback.

    ``names`` maps strings in messages (the generated paths of uploads) to what the user
    knows them by (the names of the uploaded files). The system refusing a file (an
    ``OSError``) is reported the same way.
    """
    outcome = Outcome()
    try:
        with front_end_words(OPTION_WORDS):
            yield outcome
    except ReanalyzeError as exc:
        outcome.error = _renamed(str(exc), names)
    except OSError as exc:
        where = exc.filename if exc.filename is not None else "a file"
        outcome.error = _renamed(f"{where}: {exc.strerror or type(exc).__name__}", names)
    if outcome.error is not None:
        st.error(escape(outcome.error), icon=":material/error:")


def gui_words(text: str) -> str:
    """A library sentence with the command line's words replaced by the GUI's."""
    return _renamed(text, None)


def _renamed(message: str, names: Mapping[str, str] | None) -> str:
    for old, new in sorted({**GUI_WORDS, **(names or {})}.items(), key=lambda kv: -len(kv[0])):
        message = message.replace(old, new)
    return " ".join(message.split())


def show_figure(figure: Any) -> None:
    """Draw a matplotlib figure in the page."""
    st.pyplot(figure, clear_figure=False, width="stretch")


# ------------------------------------------------------------------ runs
def run_picker(session: Session, key: str) -> RunEntry | None:
    """A choice of the working folder's trained twins; the session remembers the choice."""
    runs = complete_runs(session.settings.runs)
    if not runs:
        st.info(
            "No trained twin yet: train one on the Train page (or put a run folder made "
            "by `reanalyze train` into the working folder's runs/)."
        )
        return None
    names = [r.name for r in runs]
    name = synced_selectbox("Twin (run folder)", names, key, "gui.run")
    return runs[names.index(name)]


def picked_twin(session: Session, key: str) -> tuple[RunEntry, Any] | None:
    """:func:`run_picker` and the chosen twin's bundle (None, the reason shown, when there is
    no twin or its folder cannot be read)."""
    entry = run_picker(session, key)
    if entry is None:
        return None
    with reported() as outcome:
        bundle = load_twin(entry.path)
    return (entry, bundle) if outcome.ok else None


def synced_selectbox(label: str, options: list[str], key: str, shared: str, **kw: Any) -> str:
    """A select box whose choice is the session's ``shared`` value, on every page.

    The value chosen on one page (or set by the app, e.g. after a search finished) is the
    one shown on the next.
    """
    state: Any = st.session_state
    current = state.get(shared)
    state[key] = current if current in options else options[0]
    state[shared] = state[key]

    def remember() -> None:
        state[shared] = state[key]

    return str(st.selectbox(label, options, key=key, on_change=remember, **kw))


# ------------------------------------------------------------------ grids
def nice_step(span: float, count: int = 50) -> float:
    """A 1-2-5 step giving about ``count`` intervals over ``span``.

    >>> nice_step(50.0), nice_step(49990.0)
    (1.0, 1000.0)
    """
    if not span > 0:
        return 1.0
    raw = span / count
    exponent = math.floor(math.log10(raw))
    for mantissa in (1.0, 2.0, 5.0, 10.0):
        if mantissa * 10**exponent >= raw:
            return float(f"{mantissa * 10**exponent:.12g}")
    return float(10 ** (exponent + 1))  # pragma: no cover


def grid_step(span: float, count: int = 50, most: int = 1000) -> float:
    """The default step of a grid axis over ``span``: a 1-2-5 step near ``span / count``
    that ends the axis exactly on its stop, so the training range is covered to its end.

    The largest such step giving at most ``most`` intervals, or :func:`nice_step` when none
    does (the library then notes that the axis ends below its stop).

    >>> grid_step(50.0), grid_step(49900.0), grid_step(49990.0)
    (1.0, 100.0, 1000.0)
    >>> grid_step(0.7)
    0.02
    """
    step = nice_step(span, count)
    candidate = step
    while span / candidate <= most:
        intervals = span / candidate
        if abs(intervals - round(intervals)) < 1e-9 * max(1.0, intervals):
            return candidate
        exponent = math.floor(math.log10(candidate) + 1e-12)
        mantissa = round(candidate / 10**exponent)
        smaller = {1: 0.5, 2: 1.0, 5: 2.0}[mantissa] * 10**exponent
        candidate = float(f"{smaller:.12g}")
    return step


def _squeeze(text: str) -> str:
    return "".join(str(text).split())


def axis_spec(name: str, mode: str, start: str, stop: str, step: str, unit: str) -> str:
    """One grid axis as the library writes it, e.g. ``T=10:60:0.5K``.

    >>> axis_spec("T", "range", "10", "60", "0.5", "K")
    'T=10:60:0.5K'
    >>> axis_spec("H", "values", "0.1, 1", "", "", "T"), axis_spec("H", "value", "1", "", "", "T")
    ('H=0.1,1T', 'H=1T')
    """
    unit = _squeeze(unit)
    if mode == "range":
        return f"{name}={_squeeze(start)}:{_squeeze(stop)}:{_squeeze(step)}{unit}"
    if mode == "values":
        values = [_squeeze(v) for v in start.split(",") if v.strip()]
        return f"{name}={','.join(values)}{unit}"
    return f"{name}={_squeeze(start)}{unit}"


def grid_editor(bundle: Any, key: str) -> list[str]:
    """Edit one axis per feature of the twin: a range, a list of values or one value, with
    its unit (default: the training range and unit). Returns the axes as grid specs."""
    specs = []
    for name in bundle.features:
        lo, hi = bundle.ranges[name]
        unit = bundle.units[name]
        step = grid_step(hi - lo)
        with st.container(border=True):
            cols = st.columns([1.3, 1, 1, 1, 1])
            mode = cols[0].selectbox(
                f"{name} ({bundle.kinds[name].replace('_', ' ')})",
                ["range", "values", "value"],
                key=f"{key}.{name}.mode",
                help=f"training range {lo:g}…{hi:g} {pretty_unit(unit)}",
            )
            first = "start" if mode == "range" else ("values" if mode == "values" else "value")
            start = cols[1].text_input(first, f"{lo:g}", key=f"{key}.{name}.start")
            stop = cols[2].text_input(
                "stop", f"{hi:g}", key=f"{key}.{name}.stop", disabled=mode != "range"
            )
            step_text = cols[3].text_input(
                "step", f"{step:g}", key=f"{key}.{name}.step", disabled=mode != "range"
            )
            chosen = cols[4].text_input(
                "unit", unit, key=f"{key}.{name}.unit", help="any unit of the same kind (pint)"
            )
        specs.append(axis_spec(name, str(mode), start, stop, step_text, chosen))
    st.caption("Grid: " + escape(" ".join(specs)))
    return specs


# ------------------------------------------------------------------ plugin parameters
def _literal_choices(annotation: Any) -> list[Any] | None:
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return None


def _json_text(value: Any) -> str:
    import json

    if value is None:
        return ""
    return json.dumps(value, default=str)


def params_editor(plugin: Any, key: str) -> dict[str, Any]:
    """Widgets for a plugin's ``Params``: defaults, descriptions (with units) as help.

    Booleans are check boxes, choices select boxes, everything else text (JSON, or a comma
    separated list); an empty text keeps the default. Returns only the parameters changed
    from their defaults, as :func:`reanalyze.properties.base.parse_params` takes them.
    """
    changed: dict[str, Any] = {}
    fields = plugin.Params.model_fields
    if not fields:
        st.caption("This plugin has no parameters.")
        return changed
    columns = st.columns(2)
    for i, (name, info) in enumerate(fields.items()):
        where = columns[i % 2]
        required = info.is_required()
        default = None if required else info.get_default(call_default_factory=True)
        helptext = (info.description or "") + ("" if required else f" Default: {default!r}.")
        widget_key = f"{key}.{name}"
        choices = _literal_choices(info.annotation)
        if info.annotation is bool:
            value: Any = where.checkbox(name, bool(default), key=widget_key, help=helptext)
            if value != default:
                changed[name] = value
        elif choices is not None:
            index = choices.index(default) if default in choices else 0
            value = where.selectbox(name, choices, index=index, key=widget_key, help=helptext)
            if value != default:
                changed[name] = value
        else:
            shown = _json_text(default)
            text = where.text_input(
                name + (" (required)" if required else ""), shown, key=widget_key, help=helptext
            )
            if text.strip() and text.strip() != shown:
                changed[name] = text.strip()
    return changed


# ------------------------------------------------------------------ downloads
def zip_folder(folder: Path) -> bytes:
    """The files of ``folder`` as a zip archive (paths relative to the folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def write_table(table: Any, folder: Path, stem: str) -> dict[str, Path]:
    """Write ``table`` as ``STEM.csv`` and ``STEM.parquet`` into ``folder`` with the library's
    writers (units in the CSV header, the schema in the Parquet metadata)."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "csv": table.to_csv(folder / f"{stem}.csv"),
        "parquet": table.to_parquet(folder / f"{stem}.parquet"),
    }


def download(where: Any, label: str, data: bytes, file_name: str, mime: str, key: str) -> None:
    """A download button in ``where`` (``st`` or a column) that does not rerun the page."""
    where.download_button(
        label,
        data,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def download_folder(where: Any, label: str, folder: Path, file_name: str, key: str) -> None:
    """A download button for ``folder`` as a zip archive (:func:`zip_folder`)."""
    download(where, label, zip_folder(folder), file_name, "application/zip", key)


def image_grid(images: Sequence[Path]) -> None:
    """PNG files in two columns, each captioned with its file name."""
    cols = st.columns(2)
    for i, image in enumerate(images):
        cols[i % 2].image(str(image), caption=image.stem.replace("_", " "))


#: (key of :func:`write_table`'s files, button label, MIME type) of :func:`download_files`.
_TABLE_FILES = (
    ("csv", "Download CSV (units in the header)", "text/csv"),
    ("parquet", "Download Parquet (units in the metadata)", "application/octet-stream"),
)


def download_files(files: Mapping[str, Path], key: str) -> None:
    """Download buttons for the CSV and Parquet files of :func:`write_table`."""
    for where, (kind, label, mime) in zip(st.columns(2), _TABLE_FILES, strict=True):
        path = files[kind]
        download(where, label, path.read_bytes(), path.name, mime, f"{key}.{kind}")
