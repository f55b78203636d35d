"""naqsha's dashboard (Streamlit entry point).

Run it with ``naqsha dashboard`` (or ``naqsha demo`` on a fresh machine). The store
comes from ``NAQSHA_STORE`` / ``NAQSHA_HOME`` (``naqsha dashboard --store DIR`` sets it).
The page itself is :func:`naqsha.dashboard.views.main`.
"""

import streamlit as st

st.set_page_config(page_title="naqsha", layout="wide", initial_sidebar_state="expanded")

from naqsha.dashboard.views import main  # noqa: E402

main()
