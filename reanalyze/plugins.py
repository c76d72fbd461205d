"""Plugin discovery: built-ins from ``registry.yaml`` merged with entry points.

Two groups exist: ``reanalyze.loaders`` (file loaders, subclasses of
:class:`reanalyze.loaders.base.Loader`) and ``reanalyze.properties`` (property plugins,
subclasses of :class:`reanalyze.properties.base.PropertyPlugin`). A third-party package
registers one in its ``pyproject.toml``::

    [project.entry-points."reanalyze.loaders"]
    my_format = "my_package.loader:MyLoader"

Discovery (:func:`list_plugins`) never imports a plugin: listing is cheap and cannot pull in
TensorFlow. A plugin is imported, and checked against its group's contract, when it is used
(:func:`load_plugin`, :func:`load_all`, :func:`broken_plugins`). A plugin that cannot be
imported, raises on import, or is not a well-formed class of its group is *broken*:
:func:`load_plugin` raises :class:`PluginError` naming it and the reason, while
:func:`load_all` and :func:`broken_plugins` warn once per process and carry on with the
others. When an entry point has the name of a built-in, the built-in wins and a warning says
so. Results are cached; :func:`clear_cache` forgets them (after installing a plugin in a
running process, say).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

from reanalyze.errors import PluginError, UnknownNameError
from reanalyze.registry import load_registry

__all__ = [
    "GROUPS",
    "PluginSpec",
    "broken_plugins",
    "check_plugin",
    "clear_cache",
    "list_plugins",
    "load_all",
    "load_plugin",
    "merge_plugins",
]

Group = Literal["reanalyze.loaders", "reanalyze.properties"]
GROUPS: tuple[Group, ...] = ("reanalyze.loaders", "reanalyze.properties")
_KIND: dict[str, str] = {
    "reanalyze.loaders": "loader plugin",
    "reanalyze.properties": "property plugin",
}


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


# ------------------------------------------------------------------ contracts
def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _type_name(value: object) -> str:
    return type(value).__name__


def _check_class(obj: Any, base: type, base_path: str) -> str | None:
    """What every plugin must be: a concrete subclass of ``base`` with string ``name`` and
    ``description``."""
    if not isinstance(obj, type):
        label = getattr(obj, "__qualname__", None)
        what = (
            f"{label} is a {_type_name(obj)}"
            if isinstance(label, str)
            else (f"it is a {_type_name(obj)} object")
        )
        return f"{what}, not a class"
    if not issubclass(obj, base):
        return f"class {obj.__name__} is not a subclass of {base_path}"
    if inspect.isabstract(obj):
        missing = ", ".join(f"{m}()" for m in sorted(getattr(obj, "__abstractmethods__", ())))
        return f"class {obj.__name__} does not implement {missing}"
    return _check_strings(obj)


def _check_strings(cls: type) -> str | None:
    for attr in ("name", "description"):
        if not hasattr(cls, attr):
            return f"class {cls.__name__} has no {attr!r} (a string)"
        value = getattr(cls, attr)
        if not isinstance(value, str):
            return f"{cls.__name__}.{attr} must be a string, got {_type_name(value)}"
    if not cls.name.strip():  # type: ignore[attr-defined]
        return f"{cls.__name__}.name is empty"
    return None


def _check_methods(cls: type, names: Iterable[str]) -> str | None:
    for attr in names:
        if not callable(getattr(cls, attr, None)):
            return f"{cls.__name__}.{attr} must be a method"
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return None
    required = [
        p.name
        for p in signature.parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        return f"{cls.__name__}() needs arguments ({', '.join(required)}); it must take none"
    return None


def _check_property(obj: Any) -> str | None:
    from pydantic import BaseModel

    from reanalyze.properties.base import PropertyPlugin, Requirement
    from reanalyze.units import KINDS

    problem = _check_class(obj, PropertyPlugin, "reanalyze.properties.base.PropertyPlugin")
    if problem:
        return problem
    cls: type = obj
    if not hasattr(cls, "requires"):
        return f"class {cls.__name__} has no 'requires' (a tuple of Requirement)"
    requires = cls.requires
    if not isinstance(requires, tuple | list):
        return f"{cls.__name__}.requires must be a tuple of Requirement, got {_type_name(requires)}"
    roles: list[str] = []
    for i, req in enumerate(requires):
        where = f"{cls.__name__}.requires[{i}]"
        if not isinstance(req, Requirement):
            return f"{where} must be a Requirement, got {_type_name(req)}"
        if not isinstance(req.role, str) or not req.role:
            return f"{where}.role must be a non-empty string, got {req.role!r}"
        kinds = req.kinds
        if not isinstance(kinds, tuple | list) or not kinds:
            return f"{where} (role {req.role!r}): kinds must be a non-empty tuple, got {kinds!r}"
        unknown = [k for k in kinds if not isinstance(k, str) or k not in KINDS]
        if unknown:
            return f"{where} (role {req.role!r}): unknown quantity kind {unknown[0]!r}"
        if req.role in roles:
            return f"{cls.__name__}.requires repeats the role {req.role!r}"
        roles.append(req.role)
    if not hasattr(cls, "Params"):
        return f"class {cls.__name__} has no 'Params' (a pydantic BaseModel subclass)"
    params = cls.Params
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        return f"{cls.__name__}.Params must be a pydantic BaseModel subclass, got {params!r}"
    return _check_methods(cls, ("compute", "run", "figures", "convergence_curve", "example_table"))


def _check_loader(obj: Any) -> str | None:
    from reanalyze.loaders.base import Loader

    problem = _check_class(obj, Loader, "reanalyze.loaders.base.Loader")
    if problem:
        return problem
    cls: type = obj
    suffixes = getattr(cls, "suffixes", ())
    if not isinstance(suffixes, tuple | list) or not all(isinstance(s, str) for s in suffixes):
        return f"{cls.__name__}.suffixes must be a tuple of strings, got {suffixes!r}"
    return _check_methods(cls, ("load", "sniff"))


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "reanalyze.loaders": _check_loader,
    "reanalyze.properties": _check_property,
}


def check_plugin(group: Group, obj: Any) -> str | None:
    """What is wrong with ``obj`` as a plugin of ``group``, in one line; ``None`` if nothing.

    A loader must be a subclass of :class:`reanalyze.loaders.base.Loader` with string
    ``name`` and ``description``, a tuple of string ``suffixes`` and a ``load`` method. A
    property plugin must be a subclass of :class:`reanalyze.properties.base.PropertyPlugin`
    with string ``name`` and ``description``, ``requires`` a tuple of
    :class:`~reanalyze.properties.base.Requirement` with known quantity kinds, ``Params`` a
    pydantic model, and a ``compute`` method. Either must be constructible without arguments.
    These are the checks that keep the command line working; :mod:`reanalyze.testing` checks
    a plugin's behaviour too.
    """
    try:
        return _CHECKS[group](obj)
    except Exception as exc:  # a hostile class can raise on attribute access
        return f"checking it raised {_one_line(exc)}"


@functools.cache
def _resolve(spec: PluginSpec) -> tuple[Any, str | None]:
    """``(plugin, None)``, or ``(None, reason)`` when the plugin is broken (cached)."""
    module_name, _, attribute = spec.target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else ():
            obj = getattr(obj, part)
    except (Exception, SystemExit) as exc:  # a broken plugin can raise anything on import
        return None, f"cannot be loaded: {_one_line(exc)}"
    if spec.group not in _CHECKS:
        return obj, None
    reason = check_plugin(spec.group, obj)  # type: ignore[arg-type]
    return (None, reason) if reason else (obj, None)


_WARNED: set[PluginSpec] = set()


def _message(spec: PluginSpec, reason: str) -> str:
    kind = _KIND.get(spec.group, f"{spec.group} plugin")
    return f"{kind} {spec.name!r} is broken: {reason} [{spec.target}, {spec.origin}]"


def _warn_once(spec: PluginSpec, reason: str) -> None:
    if spec in _WARNED:
        return
    _WARNED.add(spec)
    warnings.warn(_message(spec, reason), RuntimeWarning, stacklevel=3)


def load_plugin(group: Group, name: str) -> Any:
    """Import, check and return the plugin ``name`` of ``group`` (a class).

    Raises
    ------
    UnknownNameError
        If no plugin has that name (the message lists the known ones).
    PluginError
        If it is broken (``"property plugin 'x' is broken:
        <reason> [<target>, <origin>]"``).
    """
    plugins = list_plugins(group)
    if name not in plugins:
        kind = {"reanalyze.loaders": "loader", "reanalyze.properties": "property plugin"}[group]
        raise UnknownNameError(f"unknown {kind} {name!r} (known: {', '.join(plugins)})")
    obj, reason = _resolve(plugins[name])
    if reason is not None:
        raise PluginError(_message(plugins[name], reason))
    return obj


def broken_plugins(group: Group, *, builtins: bool = True) -> dict[str, str]:
    """Import and check every plugin of ``group``; return ``{name: reason}`` of the broken ones.

    Each broken plugin is reported once per process as a :class:`RuntimeWarning`.

    Parameters
    ----------
    group
        Entry-point group.
    builtins
        Check the built-in plugins too; ``False`` checks only entry points (so that a listing
        imports none of the built-ins).
    """
    broken: dict[str, str] = {}
    for name, spec in list_plugins(group).items():
        if not builtins and spec.origin == "built-in":
            continue
        _, reason = _resolve(spec)
        if reason is not None:
            _warn_once(spec, reason)
            broken[name] = reason
    return broken


def load_all(group: Group) -> dict[str, Any]:
    """Import every plugin of ``group``; a broken one warns (once per process) and is left out."""
    loaded: dict[str, Any] = {}
    for name, spec in list_plugins(group).items():
        obj, reason = _resolve(spec)
        if reason is not None:
            _warn_once(spec, reason)
        else:
            loaded[name] = obj
    return loaded


def clear_cache() -> None:
    """Forget discovered plugins, import results and which warnings were shown."""
    list_plugins.cache_clear()
    _resolve.cache_clear()
    _WARNED.clear()
