"""The Data page under AppTest: uploads (kept private, under generated names, size-limited),
the loader's one-line errors, units, sample mass, registry datasets; the app's frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_helpers import carried, exact_m, page, plain, scan_csv, texts

from reanalyze.errors import DataError
from reanalyze.gui.state import Session, Settings, store_upload
from reanalyze.table import UnitTable

APP = Path(__file__).resolve().parents[2] / "reanalyze" / "gui" / "app.py"


def uploaded(at: Any, *files: tuple[str, bytes]) -> Any:
    widget = at.file_uploader(key="data.files")
    for name, data in files:
        widget.upload(name, data, "text/csv")
    return at.run()


def test_the_app_opens_on_the_data_page(workdir: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Data"]
    assert any(str(workdir) in c.value for c in at.sidebar.caption)
    session = at.session_state["gui.session"]
    assert at.query_params["session"] == session  # a reload finds the session again
    assert (workdir / ".reanalyze-gui" / "sessions" / session).is_dir()


def test_a_reload_finds_the_sessions_table_again(workdir: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    uploaded(at, ("my scan.csv", scan_csv()))
    assert not at.error
    session, table = at.session_state["gui.session"], at.session_state["gui.table"]
    reload = AppTest.from_file(str(APP), default_timeout=60)
    reload.query_params["session"] = session
    reload.run()
    assert reload.session_state["gui.session"] == session
    assert reload.session_state["gui.table"] == table
    other = AppTest.from_file(str(APP), default_timeout=60).run()
    assert "gui.table" not in other.session_state


def test_an_uploaded_csv_is_read_with_its_units_and_kept_for_training(workdir: Path) -> None:
    at = page("data").run()
    uploaded(at, ("my scan.csv", scan_csv()))
    assert not at.exception and not at.error
    columns = at.dataframe[0].value
    assert columns["column"].tolist() == ["T", "H", "M"]
    assert columns["unit"].tolist() == ["K", "Oe", "emu"]
    assert columns["kind"].tolist() == ["temperature", "magnetic_field", "magnetic_moment"]
    t, h = np.meshgrid(np.arange(10.0, 60.01, 2.0), (100.0, 20000.0, 50000.0))
    assert columns["distinct"].tolist() == [26, 3, len(np.unique(exact_m(t, h, 1.0)))]
    assert columns["max"].tolist()[:2] == [60.0, 50000.0]
    # the file is in this session's folder under a generated name, never the browser's
    session = at.session_state["gui.session"]
    files = list((workdir / ".reanalyze-gui" / "sessions" / session / "uploads").iterdir())
    assert len(files) == 1 and files[0].name.startswith("upload-") and files[0].suffix == ".csv"
    assert "my scan" not in files[0].name
    assert files[0].read_bytes() == scan_csv()
    # the table the Train page uses: the same numbers, with units
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert kept.unit("H") == "Oe" and len(kept) == 78
    np.testing.assert_array_equal(
        kept.values("M"), exact_m(kept.values("T"), kept.values("H"), 1.0)
    )
    assert at.session_state["gui.table"]["name"] == "my scan.csv"


def test_a_bad_file_shows_the_loaders_one_line_error_with_its_own_name(workdir: Path) -> None:
    at = page("data").run()
    uploaded(at, ("notes.csv", b"this is not a table\x00\x01 at all"))
    assert not at.exception  # no traceback in the page
    (message,) = texts(at.error)
    assert message == "notes.csv: binary file, not text"
    assert "gui.table" not in at.session_state
    at = page("data").run()
    uploaded(at, ("empty.csv", b"   \n"))
    assert texts(at.error) == ["empty.csv: file is empty"]
    assert ".reanalyze-gui" not in " ".join(texts(at.error))
    # the way out is told in the page's words: its Loader choice, not a flag
    at = page("data").run()
    uploaded(at, ("mt.csv", b"[Header]\nINFO,x\n[Data]\nT (K),M (emu)\n1,2\n"))
    at.selectbox(key="data.loader").select("delimited").run()
    assert texts(at.error) == [
        "mt.csv: not a delimited table (a [Header]/[Data] section: read it with the Loader "
        "choice quantum_design)"
    ]


def test_a_loader_s_own_options_are_given_in_the_loader_options_box(workdir: Path) -> None:
    at = page("data").run()
    uploaded(at, ("digitized.csv", b"1,,2,\nX,Y,X,Y\n10,1,10,2\n20,3,20,4\n"))
    (message,) = texts(at.error)  # bare-number series labels: the page says where to fix it
    assert message.endswith(
        "give series_unit=T in Loader options or series_values.1=1 T in Loader options"
    ), message
    at.text_area(key="data.loader_options").input("series_unit=T\nx=T (K)\ny=M (emu)").run()
    assert not at.exception and not at.error
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert [kept.unit(c) for c in kept.columns] == ["K", "T", "emu"]
    np.testing.assert_array_equal(kept.values("H"), [1.0, 1.0, 2.0, 2.0])
    at.text_area(key="data.loader_options").input("units=T").run()
    assert texts(at.error) == [
        "loader option units: not a loader's own option; give it with the 'Units of the "
        "columns' boxes"
    ]


def test_the_columns_to_load_are_chosen_in_their_own_box(workdir: Path) -> None:
    """The loaders' notes and errors say 'choose others with columns=[...]': the page has a
    box for it, and the Loader options box, which refuses it, names that box."""
    at = page("data").run()
    csv = b"T (K),H (Oe),M (emu),M_err (emu)\n10,100,1.0,0.01\n20,100,2.0,0.01\n10,200,1.5,0.01\n"
    uploaded(at, ("four.csv", csv))
    assert not at.error
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert kept.columns == ["T", "H", "M", "M_err"]
    at.text_input(key="data.columns").input("T (K); M (emu);H (Oe)").run()
    assert not at.exception and not at.error
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert kept.columns == ["T", "M", "H"] and kept.unit("M") == "emu"
    np.testing.assert_array_equal(kept.values("M"), [1.0, 2.0, 1.5])
    at.text_input(key="data.columns").input("").run()
    at.text_area(key="data.loader_options").input("columns=T (K)").run()
    assert texts(at.error) == [
        "loader option columns: not a loader's own option; give it with the 'Columns to "
        "load' box on the Data page"
    ]


def test_uploads_over_the_limit_or_of_unknown_types_are_refused(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Session(id="0" * 32, settings=Settings(workdir=workdir, max_upload_mb=1))
    with pytest.raises(DataError, match=r"big.csv: 1.5 MB is over the upload limit of 1 MB"):
        store_upload(session, "big.csv", b"0" * (3 * 1024 * 512))
    with pytest.raises(DataError, match=r"run.sh: not a file type the loaders read"):
        store_upload(session, "run.sh", b"rm -rf /")
    # a name with a path in it is only displayed, never used
    stored = store_upload(session, "../../../etc/passwd.csv", b"T (K),M (emu)\n1,2\n")
    assert stored.display == "passwd.csv" and stored.path.parent == session.uploads
    assert not (workdir.parent / "etc").exists()
    # through the page: the server's limit (reanalyze gui --max-upload-mb) is the page's
    monkeypatch.setenv("REANALYZE_GUI_MAX_UPLOAD_MB", "1")
    at = page("data").run()
    uploaded(at, ("large.csv", b"T (K)\n" + b"1.0\n" * 400_000))
    assert texts(at.error) == [
        "large.csv: 1.5 MB is over the upload limit of 1 MB (reanalyze gui --max-upload-mb)"
    ]


def test_sessions_do_not_see_each_others_uploads(workdir: Path) -> None:
    first = page("data").run()
    uploaded(first, ("mine.csv", scan_csv()))
    second = page("data").run()
    assert second.session_state["gui.session"] != first.session_state["gui.session"]
    assert "gui.table" not in second.session_state
    sessions = workdir / ".reanalyze-gui" / "sessions"
    assert not list((sessions / second.session_state["gui.session"]).rglob("upload-*"))
    # a made-up or hostile session ID in the URL gets a session of its own
    for given in ("../../etc", first.session_state["gui.session"][:-1] + "x"):
        third = page("data")
        third.query_params["session"] = given
        third.run()
        assert third.session_state["gui.session"] not in (given, first.session_state["gui.session"])
    # the same ID (a reload of the page) finds the session's folder again
    again = page("data")
    again.query_params["session"] = first.session_state["gui.session"]
    again.run()
    assert again.session_state["gui.session"] == first.session_state["gui.session"]


def test_unit_overrides_and_the_sample_mass(workdir: Path) -> None:
    at = page("data").run()
    uploaded(at, ("scan.csv", scan_csv()))
    at.text_input(key="data.unit.M").input("memu").run()
    assert not at.error
    assert at.dataframe[0].value["unit"].tolist() == ["K", "Oe", "memu"]
    at.text_input(key="data.mass").input("0.61 mg").run()
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert kept.unit("M") == "memu" and kept.sample is not None
    assert (kept.sample.mass, kept.sample.mass_unit) == (0.61, "mg")
    assert "sample: 0.61 mg" in texts(at.caption)  # as a physicist writes it, not as JSON
    at.text_input(key="data.mass").input("3 K").run()
    assert not at.exception
    assert any("sample mass" in e and "K" in e for e in texts(at.error))
    at.text_input(key="data.unit.M").input("bogusunit").run()
    assert not at.exception
    assert len(texts(at.error)) >= 1 and any("bogusunit" in e for e in texts(at.error))


def test_one_file_per_field_with_the_field_from_the_data(workdir: Path) -> None:
    files = [(f"MT_{h / 1e4:g}T.csv", scan_csv((h,), 5.0)) for h in (100.0, 20000.0, 50000.0)]
    at = page("data").run()
    uploaded(at, *files)
    at.text_input(key="data.slow_axis").input("H").run()
    assert not at.exception and not at.error
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert sorted(np.unique(kept.values("H"))) == [100.0, 20000.0, 50000.0]
    # the rows' files are named as the user named them
    assert sorted(set(kept.labels("source_file"))) == sorted(name for name, _ in files)
    assert any("set points" in t for t in texts(at.info))


def test_a_registry_dataset(workdir: Path) -> None:
    at = page("data").run()
    at.radio(key="data.source").set_value("Registry dataset").run()
    assert not at.error  # nothing is fetched before a dataset is chosen
    at.selectbox(key="data.dataset").set_value("synthetic_magnet").run()
    assert not at.exception and not at.error
    assert plain(at.subheader[0].value) == "synthetic_magnet: 808 rows"
    kept = UnitTable.read_parquet(at.session_state["gui.table"]["path"])
    assert kept.sample is not None and kept.sample.mass == 0.61
    # a remote dataset not in the (empty, offline) cache: the fetch error, one line
    at.selectbox(key="data.dataset").set_value("erco2").run()
    assert not at.exception
    (message,) = texts(at.error)
    assert "not in the cache" in message and "\n" not in message
    # the Train page takes the table over
    train = page("train", carried(at)).run()
    assert not train.exception
    assert train.multiselect(key="train.features").value == ["T", "H"]
    assert train.selectbox(key="train.target").value == "M"
