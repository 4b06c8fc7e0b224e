"""Resolution: mentions become canonical entities, with the rule that decided each."""

from solidarity_graph.resolve.decisions import EntityIndex, Resolution, Resolver
from solidarity_graph.resolve.rules import fold_name

__all__ = ["EntityIndex", "Resolution", "Resolver", "fold_name"]
