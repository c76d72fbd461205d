"""The ``reanalyze`` command line: a thin layer over the library.

One module per command group (``data``, ``registry``, ``twin``, ``properties``,
``planning``, ``demo``); each command parses its options, makes one library call and prints.
Every :class:`~reanalyze.errors.ReanalyzeError` becomes one line on standard error: exit
status 2 for an :class:`~reanalyze.errors.OptionError` or a usage error (a misused option),
1 for bad data, 130 for an interrupt. No command prints a traceback for bad input.
"""

from __future__ import annotations

import warnings
from typing import Any

import typer

# isort: off
# the command modules register their commands on import; this is the order --help lists them
from reanalyze.cli import twin, properties, planning, demo, data, registry, gui  # noqa: F401

# isort: on
from reanalyze.cli._app import Interrupted, app
from reanalyze.cli._common import OPTION_WORDS, err
from reanalyze.errors import OptionError, ReanalyzeError
from reanalyze.wording import front_end_words

__all__ = ["app", "main"]


def _show_warning(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
    err.print(f"warning: {message}", markup=False, highlight=False)


def _usage_line(exc: Any) -> str:
    """A click usage error as one line: the command, what is wrong, where help is."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx is not None else "reanalyze"
    return f"error: {message} (see {command} --help)"


#: Set when a stop signal reached :func:`main`'s handler (typer turns the KeyboardInterrupt it
#: raises into a silent exit status 130, which :func:`main` then explains).
_STOPPED: list[int] = []


def _interrupt(signum: int, frame: Any) -> None:
    _STOPPED.append(signum)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (errors as one line, no traceback).

    Bad data exit with 1, a misused option (a usage error, or an
    :class:`~reanalyze.errors.OptionError`) with 2, an interrupt (Ctrl-C or SIGTERM) with
    130.
    """
    import signal

    try:  # typer >= 0.24 carries its own copy of click
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover - older typer
        from click import exceptions as click  # type: ignore[no-redef]

    _STOPPED.clear()
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for signum in previous:  # SIGTERM stops as cleanly as Ctrl-C
            signal.signal(signum, _interrupt)
    except ValueError:  # not the main thread
        previous = {}
    try:
        with warnings.catch_warnings(), front_end_words(OPTION_WORDS):
            warnings.simplefilter("default", RuntimeWarning)
            warnings.showwarning = _show_warning
            code = app(args=argv, prog_name="reanalyze", standalone_mode=False)
            if code == 130 and _STOPPED:  # an interrupt no command explained
                err.print("interrupted", markup=False)
            return code if isinstance(code, int) else 0
    except Interrupted as exc:
        err.print(str(exc), markup=False, highlight=False)
        return 130
    except click.NoArgsIsHelpError as exc:
        err.print(exc.format_message(), markup=False, highlight=False)
        return 2
    except click.UsageError as exc:
        err.print(_usage_line(exc), markup=False, highlight=False)
        return 2
    except click.ClickException as exc:  # e.g. a file option click could not open
        err.print(f"error: {' '.join(exc.format_message().split())}", markup=False)
        return exc.exit_code or 1
    except ReanalyzeError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return 2 if isinstance(exc, OptionError) else 1
    except OSError as exc:  # the system refused a file: unreadable, read-only, disk full …
        where = exc.filename if exc.filename is not None else "a file"
        reason = exc.strerror or type(exc).__name__
        err.print(f"error: {where}: {reason}", markup=False, highlight=False)
        return 1
    except SystemExit as exc:  # rich on a closed pipe, typer.Exit inside a callback
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted", markup=False)
        return 130
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
