"""后勤服务满意度分析 — the analysis core (never imports streamlit).

Subpackages and modules: ingest (readers and platform adapters), scales, areas, codebook, quality,
metrics, reliability, compare, drivers, anonymity, charts, store, auth, demo. See docs/CONTRACTS.md.
"""
