"""Plugin discovery: built-ins merged with entry points built by hand, lazily imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from reanalyze.errors import PluginError, UnknownNameError
from reanalyze.plugins import Group, PluginSpec, _builtins, load_all, merge_plugins

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


@pytest.mark.parametrize(
    ("group", "source", "reason"),
    [
        ("reanalyze.loaders", "raise ImportError('needs libfoo')\n", "ImportError: needs libfoo"),
        ("reanalyze.properties", "import not_installed_dependency\n", "ModuleNotFoundError"),
    ],
)
def test_broken_plugin_warns_and_the_rest_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, group: Group, source: str, reason: str
) -> None:
    module = f"broken_{group.rsplit('.', 1)[-1]}_pkg"
    (tmp_path / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    builtins = _builtins(group)
    specs = merge_plugins(builtins, [EntryPoint("broken", f"{module}:Plugin", group)], group)
    monkeypatch.setattr("reanalyze.plugins.list_plugins", lambda group: specs)
    with pytest.warns(RuntimeWarning, match=f"'broken' .* cannot be loaded: {reason}"):
        loaded = load_all(group)
    assert set(loaded) == set(builtins)


def test_unknown_plugin() -> None:
    from reanalyze.plugins import load_plugin

    with pytest.raises(UnknownNameError, match="unknown loader 'nope' \\(known: quantum_design"):
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


# ------------------------------------------------ broken plugins from a real distribution
PLUGIN_MODULE = "reanalyze_test_badplugs"
BAD_PROPERTIES = {
    # entry-point name: (object in the module, what the reason says)
    "no_requires": ("NoRequires", "class NoRequires has no 'requires' (a tuple of Requirement)"),
    "str_requires": ("StrRequires", "StrRequires.requires[0] must be a Requirement, got str"),
    "bad_kind": ("BadKind", "BadKind.requires[0] (role 't'): unknown quantity kind 'temprature'"),
    "no_params": ("NoParams", "class NoParams has no 'Params' (a pydantic BaseModel subclass)"),
    "dict_params": ("DictParams", "DictParams.Params must be a pydantic BaseModel subclass"),
    "no_compute": ("NoCompute", "class NoCompute does not implement compute()"),
    "int_description": ("IntDescription", "IntDescription.description must be a string, got int"),
    "not_a_class": ("make_plugin", "make_plugin is a function, not a class"),
    "not_a_subclass": (
        "Plain",
        "class Plain is not a subclass of reanalyze.properties.base.PropertyPlugin",
    ),
    "needs_arguments": ("NeedsArguments", "NeedsArguments() needs arguments (scale)"),
    "missing_attribute": ("Nope", f"cannot be loaded: AttributeError: module '{PLUGIN_MODULE}'"),
    "raises_on_import": (None, "cannot be loaded: RuntimeError: boom at import"),
    "not_installed": (None, "cannot be loaded: ModuleNotFoundError: No module named"),
}
BAD_LOADERS = {
    "plain_loader": ("Plain", "class Plain is not a subclass of reanalyze.loaders.base.Loader"),
    "no_load": ("NoLoad", "class NoLoad does not implement load()"),
}

MODULE_SOURCE = """
from pydantic import BaseModel, Field

from reanalyze.loaders.base import Loader
from reanalyze.properties.base import PropertyPlugin, PropertyResult, Requirement, Summary


class Good(PropertyPlugin):
    name = "good"
    description = "Rows of the table."
    requires = (Requirement("temperature", ("temperature",)),)

    class Params(BaseModel):
        offset: float = Field(0.0, description="Added to the count.")

    def compute(self, table, params):
        return PropertyResult(summary={"rows": Summary(len(table) + params.offset)})


class Computes(PropertyPlugin):  # compute() alone: each plugin below lacks one declaration
    def compute(self, table, params):
        return PropertyResult()


class NoRequires(Computes):
    name = "no_requires"
    description = "Lacks requires."
    Params = Good.Params


class StrRequires(NoRequires):
    requires = ("temperature",)


class BadKind(NoRequires):
    requires = (Requirement("t", ("temprature",)),)


class NoParams(Computes):
    name = "no_params"
    description = "Lacks Params."
    requires = Good.requires


class DictParams(NoParams):
    Params = dict


class NoCompute(PropertyPlugin):
    name = "no_compute"
    description = "Lacks compute."
    requires = Good.requires
    Params = Good.Params


class IntDescription(Good):
    description = 3


class NeedsArguments(Good):
    def __init__(self, scale):
        self.scale = scale


def make_plugin():
    return Good()


class Plain:
    name = "plain"
    description = "Not derived from a base class."


class GoodLoader(Loader):
    name = "good_loader"
    description = "Reads nothing it is not asked to."

    def sniff(self, path, head):
        return False

    def load(self, path, **options):
        raise NotImplementedError


class NoLoad(Loader):
    name = "no_load"
    description = "Lacks load."
"""


@pytest.fixture
def bad_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real installed distribution (a dist-info folder on sys.path) with broken plugins."""
    from reanalyze.plugins import clear_cache

    site = tmp_path / "site"
    info = site / "reanalyze_test_badplugs-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: reanalyze-test-badplugs\nVersion: 0.1\n"
    )
    targets = {name: f"{PLUGIN_MODULE}:{obj}" for name, (obj, _) in BAD_PROPERTIES.items() if obj}
    targets["raises_on_import"] = f"{PLUGIN_MODULE}_raises:Plugin"
    targets["not_installed"] = f"{PLUGIN_MODULE}_absent:Plugin"
    properties = "\n".join(f"{name} = {target}" for name, target in targets.items())
    loaders = "\n".join(f"{name} = {PLUGIN_MODULE}:{obj}" for name, (obj, _) in BAD_LOADERS.items())
    (info / "entry_points.txt").write_text(
        f"[reanalyze.properties]\ngood = {PLUGIN_MODULE}:Good\n{properties}\n\n"
        f"[reanalyze.loaders]\ngood_loader = {PLUGIN_MODULE}:GoodLoader\n{loaders}\n"
    )
    (site / f"{PLUGIN_MODULE}.py").write_text(MODULE_SOURCE)
    (site / f"{PLUGIN_MODULE}_raises.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(site))
    clear_cache()
    yield site
    clear_cache()
    for module in (PLUGIN_MODULE, f"{PLUGIN_MODULE}_raises"):
        sys.modules.pop(module, None)


@pytest.mark.usefixtures("bad_plugins")
def test_each_broken_plugin_is_named_with_its_reason_and_warned_about_once() -> None:
    from reanalyze.plugins import broken_plugins, load_all, load_plugin

    with pytest.warns(RuntimeWarning) as record:
        broken = broken_plugins("reanalyze.properties")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per process: not again
        loaded = load_all("reanalyze.properties")
    assert set(broken) == set(BAD_PROPERTIES)
    for name, (_, reason) in BAD_PROPERTIES.items():
        assert reason in broken[name], (name, broken[name])
        assert "\n" not in broken[name]
    assert {"good", "magnetocaloric", "superconducting_transport", "arpes_map"} <= set(loaded)
    warned = sorted(str(w.message) for w in record)
    assert len(warned) == len(BAD_PROPERTIES), warned
    assert all(m.startswith("property plugin '") and " is broken: " in m for m in warned)
    with pytest.raises(PluginError) as info:
        load_plugin("reanalyze.properties", "no_requires")
    assert str(info.value) == (
        "property plugin 'no_requires' is broken: class NoRequires has no 'requires' "
        f"(a tuple of Requirement) [{PLUGIN_MODULE}:NoRequires, "
        "entry point (reanalyze-test-badplugs)]"
    )
    assert load_plugin("reanalyze.properties", "good").name == "good"

    with pytest.warns(RuntimeWarning, match="loader plugin '(plain_loader|no_load)' is broken"):
        loaders = broken_plugins("reanalyze.loaders", builtins=False)
    assert loaders == {name: reason for name, (_, reason) in BAD_LOADERS.items()}
    assert "good_loader" in load_all("reanalyze.loaders")


def test_the_cli_lists_broken_plugins_and_refuses_to_use_them(
    bad_plugins: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rich.console import Console

    from reanalyze import cli
    from reanalyze.cli import data, properties

    wide = Console(width=400, soft_wrap=True)  # rows on one line
    monkeypatch.setattr(properties, "out", wide)
    monkeypatch.setattr(data, "out", wide)
    assert cli.main(["property", "list"]) == 0
    captured = capsys.readouterr()
    rows = {line.split("│")[1].strip(): line for line in captured.out.splitlines() if "│" in line}
    assert "temperature: temperature" in rows["good"]
    assert "magnetic_field" in rows["magnetocaloric"]
    for name, (_, reason) in BAD_PROPERTIES.items():
        assert f"(broken: {reason}" in rows[name], rows[name]
    warnings_ = captured.err.splitlines()
    assert len(warnings_) == len(BAD_PROPERTIES), captured.err
    assert all(line.startswith("warning: property plugin '") for line in warnings_)
    assert cli.main(["property", "list"]) == 0  # warned once per process
    assert capsys.readouterr().err == ""

    assert cli.main(["data", "loaders"]) == 0
    captured = capsys.readouterr()
    rows = {line.split("│")[1].strip(): line for line in captured.out.splitlines() if "│" in line}
    assert "Reads nothing it is not asked to." in rows["good_loader"]
    for name, (_, reason) in BAD_LOADERS.items():
        assert f"(broken: {reason})" in rows[name], rows[name]
    assert sorted(captured.err.splitlines()) == [
        f"warning: loader plugin 'no_load' is broken: {BAD_LOADERS['no_load'][1]} "
        f"[{PLUGIN_MODULE}:NoLoad, entry point (reanalyze-test-badplugs)]",
        f"warning: loader plugin 'plain_loader' is broken: {BAD_LOADERS['plain_loader'][1]} "
        f"[{PLUGIN_MODULE}:Plain, entry point (reanalyze-test-badplugs)]",
    ]

    data = tmp_path / "t.csv"
    data.write_text("T (K),M (emu)\n10,1\n20,2\n")
    out = tmp_path / "out"
    for argv in (
        ["property", "show", "no_requires"],
        ["property", "run", "no_requires", str(data), "-o", str(out)],
    ):
        assert cli.main(argv) == 1, argv
        err = capsys.readouterr().err
        assert err.startswith(
            "error: property plugin 'no_requires' is broken: class NoRequires has no 'requires'"
        ), err
        assert err.count("\n") == 1, err
    assert not out.exists()
    assert cli.main(["property", "run", "good", str(data), "-o", str(out)]) == 0
    assert "rows" in capsys.readouterr().out

    assert cli.main(["data", "inspect", str(data), "--loader", "plain_loader"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: loader plugin 'plain_loader' is broken: class Plain is not")
    assert err.count("\n") == 1, err
    assert cli.main(["data", "inspect", str(data)]) == 0  # recognized by a built-in loader
    captured = capsys.readouterr()
    assert "loader: delimited" in captured.out
    assert captured.err == ""  # the broken loaders were reported once already


def test_a_broken_plugin_is_one_line_in_a_fresh_process(bad_plugins: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(bad_plugins)}
    result = subprocess.run(
        [sys.executable, "-m", "reanalyze", "property", "show", "raises_on_import"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "error: property plugin 'raises_on_import' is broken: cannot be loaded: "
        f"RuntimeError: boom at import [{PLUGIN_MODULE}_raises:Plugin, "
        "entry point (reanalyze-test-badplugs)]\n"
    )
