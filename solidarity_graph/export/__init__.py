"""Exports: JSON Lines (the contract), CSV and GraphML."""

from solidarity_graph.export.csv import export_csv
from solidarity_graph.export.graphml import export_graphml
from solidarity_graph.export.jsonl import export_jsonl, iter_records

__all__ = ["export_csv", "export_graphml", "export_jsonl", "iter_records"]
