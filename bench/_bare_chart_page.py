"""A bare Streamlit page with one plotly chart, for bench/bench_users.py: what a chart alone costs a browser."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.title("Bare page with a chart")
st.selectbox("Option", ["a", "b", "c"])
st.dataframe(pd.DataFrame({"x": range(10), "y": range(10)}))
fig = go.Figure(go.Bar(x=[f"项目{i}" for i in range(20)], y=[80 + i % 7 for i in range(20)], orientation="v"))
st.plotly_chart(fig)
