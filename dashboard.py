"""Start the dashboard: ``streamlit run dashboard.py``.

An ``st.App`` (Streamlit's ASGI app, run by uvicorn) serving the app's entry script ``home.py`` and
its ``pages/``, plus the two routes that set and clear the HttpOnly session cookie
(``ui.session_http``). ``streamlit run`` finds the module-level ``app`` by itself; every
``--server.*`` option and ``.streamlit/config.toml`` apply as usual.
"""

import streamlit as st

from ui.session_http import routes

app = st.App("home.py", routes=routes())
