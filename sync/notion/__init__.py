"""Notion at the edge: reading scenario data sources and writing each entry's sync status back."""
