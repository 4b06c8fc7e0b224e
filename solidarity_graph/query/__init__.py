"""Queries over the store: search, entity and document pages, timelines, the graph."""

from solidarity_graph.query.document import counts, document_page, recent_documents
from solidarity_graph.query.entity import entity_page, find_entity
from solidarity_graph.query.graph import neighborhood, path
from solidarity_graph.query.timeline import events_by_place, timeline

__all__ = ["counts", "document_page", "entity_page", "find_entity", "neighborhood", "path", "recent_documents", "timeline", "events_by_place"]
