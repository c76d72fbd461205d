"""Plugin discovery: built-ins merged with entry points built by hand, lazily imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from reanalyze.errors import PluginError
from reanalyze.plugins import PluginSpec, load_all, merge_plugins

GROUP = "reanalyze.loaders"
BUILTINS = {
    "delimited": PluginSpec(
        "delimited", GROUP, "reanalyze.loaders.delimited:DelimitedLoader", "built-in"
    ),
}


def test_entry_point_added_and_builtin_wins_a_clash() -> None:
    found = [
        EntryPoint("myformat", "my_pkg.loader:MyLoader", GROUP),
        EntryPoint("delimited", "evil_pkg:Loader", GROUP),
    ]
    with pytest.warns(
        RuntimeWarning, match="'delimited' .* name of a built-in; the built-in is used"
    ):
        merged = merge_plugins(BUILTINS, found, GROUP)
    assert merged["delimited"].target == "reanalyze.loaders.delimited:DelimitedLoader"
    assert merged["myformat"].target == "my_pkg.loader:MyLoader"
    assert merged["myformat"].origin == "entry point"


def test_broken_plugin_warns_and_the_rest_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "broken_plugin_pkg.py").write_text("raise ImportError('needs libfoo')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    specs = merge_plugins(
        BUILTINS, [EntryPoint("broken", "broken_plugin_pkg:Loader", GROUP)], GROUP
    )
    monkeypatch.setattr("reanalyze.plugins.list_plugins", lambda group: specs)
    with pytest.warns(
        RuntimeWarning, match="'broken' .* cannot be loaded: ImportError: needs libfoo"
    ):
        loaded = load_all(GROUP)
    assert set(loaded) == {"delimited"}


def test_unknown_plugin() -> None:
    from reanalyze.plugins import load_plugin

    with pytest.raises(PluginError, match="unknown loader 'nope' \\(known: quantum_design"):
        load_plugin(GROUP, "nope")


def test_listing_imports_no_plugin_and_no_tensorflow() -> None:
    code = textwrap.dedent(
        """
        import sys
        from reanalyze.cli import main
        main(["data", "loaders"])
        heavy = [m for m in ("tensorflow", "keras", "reanalyze.loaders.quantum_design",
                             "reanalyze.loaders.webplotdigitizer", "matplotlib") if m in sys.modules]
        print("IMPORTED", heavy)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "IMPORTED []" in result.stdout
