"""What reanalyze may write on standard error, and the environment that would show anything
else: shared by the tests that run commands in fresh processes (``test_cli_stderr.py`` for
every command, ``test_readme.py`` for the README's)."""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Lines reanalyze writes on standard error besides note:/warning:/error: lines.
OWN = re.compile(
    r"^(?:"
    r"(?:note|warning|error): "  # notes, warnings (the CLI's own format) and errors
    r"|.*[━╸╺]"  # a progress bar (train's trials, validate's members, the demo's stages)
    r"|trials\b|members retrained\b|\d/6 |done\b"  # a bar's description, first or alone
    r"|step .+ \(\d+/\d+\): "  # plan: the candidate being computed
    r"|read |\d\. |writing |MLflow: report logged to run "  # report: what it does
    r"|simulated \d+ points with the twin in "  # property run on a twin
    r"|stopped the MLflow UI at |stopped the GUI$"  # ui and gui, after Ctrl-C
    r")"
)
#: Text of the libraries that must never reach the terminal without --verbose.
FOREIGN = re.compile(
    r"absl|oneDNN|tensorflow|cpu_feature_guard|^[IWEF]\d{4} |Traceback|Warning:|"
    r"Successfully registered|Created version|Failed to infer|site-packages|sqlalchemy|"
    r"\bmlflow\.[a-z_]+\.[a-z_]|optuna|"
    r"^\[[IWE] \d{4}-|Downloading data from|keras",
    re.IGNORECASE,
)


def unmuted_environ() -> dict[str, str]:
    """This process's environment with nothing that would hide the libraries' lines:
    ``REANALYZE_VERBOSE`` and ``TF_CPP_MIN_LOG_LEVEL`` removed, ``PYTHONWARNINGS`` emptied. A
    command run in it must silence them itself."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REANALYZE_VERBOSE", "TF_CPP_MIN_LOG_LEVEL")
    }
    env["PYTHONWARNINGS"] = ""
    return env


def quiet_env(root: Path, cache: Path) -> dict[str, str]:
    """:func:`unmuted_environ` on a narrow terminal, with its own cache and MLflow store."""
    env = unmuted_environ()
    env.update(COLUMNS="80", LINES="40", REANALYZE_CACHE_DIR=str(cache))
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
    return env


def foreign_lines(stderr: str) -> list[str]:
    """The lines of ``stderr`` reanalyze did not write."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return [line for line in lines if FOREIGN.search(line) or not OWN.match(line.strip())]
