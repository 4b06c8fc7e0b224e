"""The relational schema, in SQLAlchemy Core. Migrations in ``migrations/`` create it.

Portable SQL only: SQLite by default, PostgreSQL unchanged. Full-text search lives apart in
``search.py``, the one module that knows a dialect.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "metadata", "documents", "entities", "aliases", "mentions", "events",
    "event_participants", "event_sources", "relations", "quantities", "decisions", "curations",
    "fact_reviews",
]

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("title", Text),
    Column("published", String(10)),
    Column("language", String(8), nullable=False, default="en"),
    Column("text", Text, nullable=False),
    Column("meta", JSON),
    Column("ingested_at", String(32), nullable=False),
)

entities = Table(
    "entities", metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(48)),
    Column("country", String(2)),
    Column("parent_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("gazetteer_key", String(80), unique=True),
    Column("attributes", JSON),
    Column("created_at", String(32), nullable=False),
    Index("ix_entities_type_name", "type", "name"),
)

aliases = Table(
    "aliases", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("norm", String(300), nullable=False),
    Column("source", String(32), nullable=False),
    UniqueConstraint("entity_id", "norm", name="uq_alias_entity_norm"),
    Index("ix_aliases_norm", "norm"),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("sent_start", Integer, nullable=False),
    Column("sent_end", Integer, nullable=False),
    Column("extractor", String(48), nullable=False),
    Column("confidence", Float, nullable=False),
    Index("ix_mentions_entity", "entity_id"),
    Index("ix_mentions_document", "document_id"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(48), nullable=False),
    Column("status", String(16), nullable=False),
    Column("date", String(10)),
    Column("date_end", String(10)),
    Column("date_precision", String(10)),
    Column("date_source", String(10)),
    Column("place_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("size", Float),
    Column("size_hedge", String(32)),
    Column("trigger", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("extractor", String(48), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("attributes", JSON),
    Column("fingerprint", String(64)),  # stable across re-extraction: a curator's review sticks to it
    Column("review", String(16)),  # accepted / rejected by a curator
    Index("ix_events_type_date", "type", "date"),
    Index("ix_events_fingerprint", "fingerprint"),
    Index("ix_events_document", "document_id"),
)

event_participants = Table(
    "event_participants", metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(32), nullable=False, default="participant"),
    Index("ix_event_participants_entity", "entity_id"),
)

# Further sentences of the same document that tell the same event (kept as evidence).
event_sources = Table(
    "event_sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)

relations = Table(
    "relations", metadata,
    Column("id", Integer, primary_key=True),
    # NULL for a fact a curator added by hand (it belongs to no document)
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=True),
    Column("subject_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("predicate", String(48), nullable=False),
    Column("object_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("attributes", JSON),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("extractor", String(48), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("fingerprint", String(64)),
    Column("review", String(16)),
    Index("ix_relations_subject", "subject_id"),
    Index("ix_relations_fingerprint", "fingerprint"),
    Index("ix_relations_object", "object_id"),
)

quantities = Table(
    "quantities", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("value", Float, nullable=False),
    Column("of", Text, nullable=False),
    Column("hedge", String(32)),
    Column("unit", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("extractor", String(48), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("attributes", JSON),
)

# Why a mention was joined to an entity: the rule, its score, where (explainable, reversible).
decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE")),
    Column("mention", Text, nullable=False),
    Column("rule", String(48), nullable=False),
    Column("score", Float, nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_decisions_entity", "entity_id"),
)

# Every change a curator makes: who, when, what, before and after (the audit log).
curations = Table(
    "curations", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("who", String(120), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("note", Text),
)

# A curator's verdict on an extracted fact, by the fact's fingerprint, so it survives re-extraction.
fact_reviews = Table(
    "fact_reviews", metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("curation_id", Integer, ForeignKey("curations.id", ondelete="SET NULL")),
)
