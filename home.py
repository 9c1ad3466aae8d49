"""The app's own entry script: forwards to the overview page, keeping the URL's query.

Started by ``dashboard.py`` (``streamlit run dashboard.py``), which serves it with the session-cookie
routes. Everything a page needs (config, language, login, navigation, filters) is done by
``ui.frame.frame`` in each page script, because a deep link such as ``/areas?wave=3`` runs that page
directly.
"""

import streamlit as st

st.switch_page("pages/1_overview.py", query_params=st.query_params.to_dict())
