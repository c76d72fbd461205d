"""Plugin discovery: built-ins from ``registry.yaml`` merged with entry points.

Two groups exist: ``reanalyze.loaders`` (file loaders, subclasses of
:class:`reanalyze.loaders.base.Loader`) and ``reanalyze.properties`` (property plugins). A
third-party package registers one in its ``pyproject.toml``::

    [project.entry-points."reanalyze.loaders"]
    my_format = "my_package.loader:MyLoader"

Discovery never imports a plugin: listing is cheap and cannot pull in TensorFlow. A plugin is
imported when it is used; if that fails, :func:`load_plugin` raises :class:`PluginError` and
:func:`load_all` warns and carries on with the others. When an entry point has the name of a
built-in, the built-in wins and a warning says so.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

from reanalyze.errors import PluginError
from reanalyze.registry import load_registry

__all__ = ["GROUPS", "PluginSpec", "list_plugins", "load_all", "load_plugin", "merge_plugins"]

Group = Literal["reanalyze.loaders", "reanalyze.properties"]
GROUPS: tuple[Group, ...] = ("reanalyze.loaders", "reanalyze.properties")


@dataclass(frozen=True)
class PluginSpec:
    """Where a plugin lives, without importing it.

    Attributes
    ----------
    name
        The plugin's name, e.g. ``"quantum_design"``.
    group
        Entry-point group.
    target
        ``"module:attribute"`` to import.
    origin
        ``"built-in"`` or ``"entry point (distribution)"``.
    description
        One line (built-ins only; entry points describe themselves once imported).
    """

    name: str
    group: str
    target: str
    origin: str
    description: str = ""


def _builtins(group: Group) -> dict[str, PluginSpec]:
    registry = load_registry()
    table = registry.loaders if group == "reanalyze.loaders" else registry.properties
    return {
        name: PluginSpec(name, group, entry.module, "built-in", entry.description)
        for name, entry in table.items()
    }


def merge_plugins(
    builtins: dict[str, PluginSpec], found: Iterable[EntryPoint], group: str
) -> dict[str, PluginSpec]:
    """Merge built-in plugins with entry points; built-ins win a name clash (with a warning).

    Parameters
    ----------
    builtins
        Built-in plugins by name.
    found
        Entry points of ``group`` (tests may build them by hand).
    group
        Entry-point group name, for messages.
    """
    merged = dict(builtins)
    for ep in found:
        dist = getattr(ep, "dist", None)
        origin = f"entry point ({dist.name})" if dist is not None else "entry point"
        if ep.name in builtins:
            warnings.warn(
                f"{group} plugin {ep.name!r} from {origin} has the name of a built-in; "
                "the built-in is used",
                RuntimeWarning,
                stacklevel=2,
            )
            continue
        if ep.name in merged:
            warnings.warn(
                f"{group} plugin {ep.name!r} is registered twice; using {merged[ep.name].target}",
                RuntimeWarning,
                stacklevel=2,
            )
            continue
        merged[ep.name] = PluginSpec(ep.name, group, ep.value, origin)
    return merged


@functools.lru_cache(maxsize=len(GROUPS))
def list_plugins(group: Group) -> dict[str, PluginSpec]:
    """All plugins of ``group`` by name, built-ins first (cached; imports nothing)."""
    if group not in GROUPS:
        raise PluginError(f"unknown plugin group {group!r} (known: {', '.join(GROUPS)})")
    return merge_plugins(_builtins(group), entry_points(group=group), group)


def _import(spec: PluginSpec) -> Any:
    module_name, _, attribute = spec.target.partition(":")
    try:
        module = importlib.import_module(module_name)
        obj = module
        for part in attribute.split("."):
            obj = getattr(obj, part)
    except Exception as exc:  # a broken plugin can raise anything on import
        raise PluginError(
            f"{spec.group} plugin {spec.name!r} ({spec.target}, {spec.origin}) cannot be "
            f"loaded: {type(exc).__name__}: {exc}"
        ) from exc
    return obj


def load_plugin(group: Group, name: str) -> Any:
    """Import and return the plugin ``name`` of ``group`` (a class, usually).

    Raises
    ------
    PluginError
        If no plugin has that name, or importing it fails.
    """
    plugins = list_plugins(group)
    if name not in plugins:
        kind = {"reanalyze.loaders": "loader", "reanalyze.properties": "property plugin"}[group]
        raise PluginError(f"unknown {kind} {name!r} (known: {', '.join(plugins)})")
    return _import(plugins[name])


def load_all(group: Group) -> dict[str, Any]:
    """Import every plugin of ``group``; a broken one warns and is left out."""
    loaded: dict[str, Any] = {}
    for name, spec in list_plugins(group).items():
        try:
            loaded[name] = _import(spec)
        except PluginError as exc:
            warnings.warn(str(exc), RuntimeWarning, stacklevel=2)
    return loaded
