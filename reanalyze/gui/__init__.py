"""The browser interface, ``reanalyze gui``: a Streamlit app over the library's workflows.

Pages, in the order a physicist works (one module each in :mod:`reanalyze.gui.views`):
Data, Train, Validate, Simulate, Property, Plan, Runs. Every page calls the library
(:mod:`reanalyze.load`, :mod:`reanalyze.workflows`, :mod:`reanalyze.twin.simulate`,
:mod:`reanalyze.validation`, :mod:`reanalyze.planning`, :mod:`reanalyze.twin.ui`); none
shells out to the command line. Support modules:

* :mod:`~reanalyze.gui.state` — settings of the server (working folder, upload limit), the
  browser session's private folder and its uploads;
* :mod:`~reanalyze.gui.runs` — the run folders of the working folder and their headline
  numbers;
* :mod:`~reanalyze.gui.jobs` — searches in background processes, their progress read from
  the study, stop and resume;
* :mod:`~reanalyze.gui.figures` — the figures the pages draw (matplotlib, units on every axis);
* :mod:`~reanalyze.gui.widgets` — pieces several pages share (errors, the grid editor, the
  parameter editor, downloads);
* :mod:`~reanalyze.gui.mlflow_ui` — the MLflow UI the Runs page starts;
* :mod:`~reanalyze.gui.server` — serving the app until stopped (what ``reanalyze gui`` runs);
* ``app.py`` — the script ``streamlit run`` executes (:func:`~reanalyze.gui.server.serve`
  starts it).

``streamlit`` is an optional dependency (``pip install "reanalyze[gui]"``); nothing outside
this package imports it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["APP_SCRIPT"]

#: The script ``streamlit run`` executes.
APP_SCRIPT = Path(__file__).with_name("app.py")
