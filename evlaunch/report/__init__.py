"""Presenting results: terminal summary, and (later) HTML report and data export."""
