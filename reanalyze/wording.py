"""How a message tells the user to set an option, in the words of the front end in use.

The library's messages say what to do about a problem ("give units with …"), and what the
user types depends on where they are: a notebook passes a keyword argument, the command line
a flag, the GUI ticks a box. The library never names a flag itself; it asks
:func:`option` for the words, and a front end supplies them for the duration of its calls
with :func:`front_end_words`:

>>> option("units", "M", "UNIT")
"units={'M': 'UNIT'}"
>>> option("allow_extrapolation", switch=True)
'allow_extrapolation=True'
>>> with front_end_words({"units": "--units", "allow_extrapolation": "--allow-extrapolation"}):
...     option("units", "M", "UNIT"), option("allow_extrapolation", switch=True)
('--units M=UNIT', '--allow-extrapolation')

A front end's word is a flag (``--units``: the value follows it as ``KEY=VALUE``), a flag
that takes the parameter itself (``--loader-option series_unit=``: a mapping's entry as
``series_values.KEY=VALUE``, quoted for a shell) or, for
a GUI, any phrase (``{key}`` and ``{value}`` in it stand for the entry to give). The words
are held in a context variable: they apply to the calls made inside the ``with`` block, in
that thread, and nowhere else.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator, Mapping
from contextvars import ContextVar

__all__ = ["front_end_words", "option"]

_WORDS: ContextVar[Mapping[str, str] | None] = ContextVar("reanalyze_front_end_words", default=None)


def option(
    parameter: str, key: str | None = None, value: str | None = None, *, switch: bool = False
) -> str:
    """How to set the library parameter ``parameter`` (its ``key`` to ``value``).

    Parameters
    ----------
    parameter
        The keyword argument of the library call (``units``, ``columns``, ``overwrite``).
    key, value
        For a mapping parameter, the entry to give (``"M"``, ``"UNIT"``); ``value`` alone for
        a plain one (a string, or ``"[...]"`` for "a list of yours"). Placeholders in
        capitals read as "put yours here".
    switch
        The parameter is a switch that is turned on (``overwrite=True``, ``--overwrite``).

    Returns
    -------
    str
        In the current front end's words, else as a Python keyword argument.

    Examples
    --------
    >>> option("columns", "temperature", "NAME")
    "columns={'temperature': 'NAME'}"
    >>> option("steps", value="[...]")
    'steps=[...]'
    >>> option("loader", value="quantum_design")
    "loader='quantum_design'"
    """
    word = (_WORDS.get() or {}).get(parameter)
    if word is None:
        if switch:
            return f"{parameter}=True"
        if key is not None:
            return f"{parameter}={{{key!r}: {value or 'VALUE'!r}}}"
        if value is None or value[:1] in "[{" or _placeholder(value):  # ..., [...], PORT
            return f"{parameter}={value or '...'}"
        return f"{parameter}={value!r}"
    if not word.startswith("-"):  # a GUI's phrase, with the value where it says {value}
        return word.format(key=key or "KEY", value=value or "VALUE")
    given = value or "VALUE"
    if word.endswith("="):  # the parameter itself follows the flag: --loader-option series_unit=
        flag, _, name = word[:-1].rpartition(" ")
        entry = name if key is None else f"{name}.{key}"
        return f"{flag} {shlex.quote(f'{entry}={given}')}"  # one shell word, quoted if need be
    if key is not None:
        return f"{word} {shlex.quote(f'{key}={given}')}"
    if value is not None and not value.startswith("["):
        return f"{word} {shlex.quote(value)}"
    return word


def _placeholder(value: str) -> bool:
    """``PORT``, ``NAME``: a word in capitals for "yours here" (not a value such as ``T``)."""
    return len(value) > 2 and value.isalpha() and value.isupper()


@contextlib.contextmanager
def front_end_words(words: Mapping[str, str]) -> Iterator[None]:
    """Within the block, :func:`option` speaks of ``parameter`` as ``words[parameter]``.

    Parameters
    ----------
    words
        ``{library parameter: flag or phrase}``, e.g. ``{"units": "--units"}``; parameters not
        in it keep the words of an enclosing block, else the library's.
    """
    token = _WORDS.set({**(_WORDS.get() or {}), **words})
    try:
        yield
    finally:
        _WORDS.reset(token)
