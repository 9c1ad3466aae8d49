"""A bare Streamlit page for bench/bench_users.py: the browser's own cost of opening any Streamlit page."""

import pandas as pd
import streamlit as st

st.title("Bare page")
st.selectbox("Option", ["a", "b", "c"])
st.dataframe(pd.DataFrame({"x": range(10), "y": range(10)}))
