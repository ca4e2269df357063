"""HTTP API and the what-if dashboard."""
