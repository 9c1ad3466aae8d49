"""Page-side kit: the frame every page starts with, translations, cached loaders, shared widgets.

Only this package and pages/ import streamlit; analysis/ stays pure.
"""
