"""Entry point: ``streamlit run dashboard.py`` forwards to the overview page, keeping the URL's query.

Everything a page needs (config, language, login, navigation, filters) is done by ``ui.frame.frame``
in each page script, because a deep link such as ``/areas?wave=3`` runs that page directly.
"""

import streamlit as st

st.switch_page("pages/1_overview.py", query_params=st.query_params.to_dict())
