"""The script ``streamlit run`` executes for ``reanalyze gui``: the page list and the frame.

Each page is ``render()`` of a module of :mod:`reanalyze.gui.views`; this script only sets
up the page and the navigation, so every page can also be run (and tested) alone.
"""

from __future__ import annotations

import importlib

import streamlit as st

from reanalyze.gui.state import current_session, remember
from reanalyze.gui.views import PAGES
from reanalyze.gui.widgets import escape


def main() -> None:
    """Set up the page and run the one the user chose."""
    st.set_page_config(page_title="reanalyze", page_icon=":material/insights:", layout="wide")
    session = current_session()
    pages = [
        st.Page(
            importlib.import_module(f"reanalyze.gui.views.{module}").render,
            title=title,
            icon=icon,
            url_path=module,
            default=i == 0,
        )
        for i, (module, title, icon) in enumerate(PAGES)
    ]
    page = st.navigation(pages)
    with st.sidebar:
        st.caption(f"working folder: `{session.settings.workdir}`")
        table = st.session_state.get("gui.table")
        if table:
            st.caption(f"table: {escape(table['name'])}")
        if st.session_state.get("gui.run"):
            st.caption(f"twin: {escape(st.session_state['gui.run'])}")
    try:
        page.run()
    finally:  # also when the page stops early (a rerun): a reload finds the same state
        remember(session, st.session_state)


if __name__ == "__main__":  # streamlit runs this file as the main script
    main()
