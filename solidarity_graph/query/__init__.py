"""Queries over the store: search, entity pages, timelines."""

from solidarity_graph.query.entity import entity_page, find_entity
from solidarity_graph.query.timeline import timeline

__all__ = ["entity_page", "find_entity", "timeline"]
