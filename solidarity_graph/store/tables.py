"""The relational schema, in SQLAlchemy Core. Migrations in ``migrations/`` create it.

Portable SQL only: SQLite by default, PostgreSQL unchanged. Full-text search lives apart in
``search.py``, the one module that knows a dialect.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
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
    "fact_reviews", "exchanges", "exchange_members", "exchange_items", "commitments", "sites", "contacts",
    "funds", "ledger_entries", "watches", "alerts", "settings", "feeds", "feed_items", "protections",
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
    Index("ix_documents_ingested", "ingested_at"),  # the home page: the latest documents (migration 0007)
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
    Index("ix_events_place", "place_id"),  # an entity page: the events at a place (migration 0007)
    Index("ix_events_date", "date", "id"),  # the home page: the latest events
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


# ---- the international program (issue 6) -------------------------------------------------------
# Amounts of money are decimal text ("1250.00"), never floats: SQLite has no decimal type, and the
# ledger's arithmetic is done in Python's Decimal.

# An exchange or delegation: who traveled, who hosted, when, where; proposed from an extracted
# delegation_visit / exchange event (status "proposed") until a curator confirms it.
exchanges = Table(
    "exchanges", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # delegation / exchange
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),  # proposed / confirmed / rejected / done
    Column("date_start", String(10)),
    Column("date_end", String(10)),
    Column("place_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),  # the event it was proposed from
    Column("event_fingerprint", String(64)),  # survives re-extraction, unlike event_id
    Column("produced", Text),  # what came of it (report, declaration, film)
    Column("notes", Text),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(120), nullable=False),
    Index("ix_exchanges_fingerprint", "event_fingerprint"),
)

# Who took part: travelers, hosts, organizers (organizations or people).
exchange_members = Table(
    "exchange_members", metadata,
    Column("exchange_id", Integer, ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),  # traveler / host / organizer
)

# The itinerary and its aftermath: meetings, rallies, press conferences, site visits, follow-ups.
exchange_items = Table(
    "exchange_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("exchange_id", Integer, ForeignKey("exchanges.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(24), nullable=False),  # meeting / rally / press_conference / visit / follow_up / other
    Column("date", String(10)),
    Column("place_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("description", Text, nullable=False),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),
    Column("status", String(16)),  # for follow-ups: open / done
    Column("event_fingerprint", String(64)),  # re-links the item to its event after re-extraction
    Index("ix_exchange_items_exchange", "exchange_id"),
)

# A commitment or a demand taken from a resolution or declaration (or entered by hand).
commitments = Table(
    "commitments", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # commitment / demand
    Column("text", Text, nullable=False),  # what is committed to or demanded
    Column("subject_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),  # who commits / demands
    Column("object_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),  # to or from whom
    Column("object_text", Text),  # the addressee as written when it is no entity ("the U.S. government")
    Column("due", String(10)),
    Column("status", String(16), nullable=False),  # open / in_progress / done / dropped
    Column("status_at", String(32)),
    # NULL: entered by hand. SET NULL, not CASCADE: re-extraction deletes and re-stores the document, and
    # the row (its id, a curator's status) must outlive that; origin_document says whose it was.
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="SET NULL")),
    Column("origin_document", String(64)),
    Column("subject_text", Text),  # who commits or demands, as written ("we", "both unions")
    Column("start", Integer),
    Column("end", Integer),
    Column("quote", Text),
    Column("exchange_id", Integer, ForeignKey("exchanges.id", ondelete="SET NULL")),
    Column("fingerprint", String(64)),  # document + quote: the curator's status survives re-extraction
    Column("extractor", String(48), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_commitments_status", "status"),
    Index("ix_commitments_fingerprint", "fingerprint"),
)

# Employer chains ("sister shops"): a multinational's sites and the union at each.
sites = Table(
    "sites", metadata,
    Column("id", Integer, primary_key=True),
    Column("employer_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text),  # "Erie plant"
    Column("country", String(2)),
    Column("city", Text),
    Column("union_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("workers", Integer),
    Column("origin", String(16), nullable=False),  # extracted / csv / hand
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="SET NULL")),
    Column("quote", Text),
    Column("start", Integer),  # the quote's span in the document (extracted sites)
    Column("end", Integer),
    Column("note", Text),
    Column("created_at", String(32), nullable=False),
    Index("ix_sites_employer", "employer_id"),
)

# Our contacts at an organization (a union we have "no contact with" has none).
contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("person", Text),
    Column("email", Text),
    Column("phone", Text),
    Column("since", String(10)),
    Column("note", Text),
    Column("created_at", String(32), nullable=False),
    Index("ix_contacts_entity", "entity_id"),
)

funds = Table(
    "funds", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("currency", String(3), nullable=False),  # the fund's home currency (ISO 4217)
    Column("description", Text),
    Column("created_at", String(32), nullable=False),
)

# Contributions in, grants out. Entries are never edited: a correction is a reversing entry.
ledger_entries = Table(
    "ledger_entries", metadata,
    Column("id", Integer, primary_key=True),
    Column("fund_id", Integer, ForeignKey("funds.id", ondelete="RESTRICT"), nullable=False),
    Column("date", String(10), nullable=False),
    Column("kind", String(16), nullable=False),  # contribution / grant / reversal
    Column("amount", String(40), nullable=False),  # decimal text, positive
    Column("currency", String(3), nullable=False),
    Column("from_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("from_name", Text),
    Column("to_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("to_name", Text),
    Column("purpose", Text),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),
    Column("exchange_id", Integer, ForeignKey("exchanges.id", ondelete="SET NULL")),
    Column("event_fingerprint", String(64)),  # survives re-extraction, unlike event_id
    Column("reverses", Integer, ForeignKey("ledger_entries.id", ondelete="RESTRICT")),
    # the fund's balance in this currency after this entry, in recording (id) order; reconcile() checks it
    Column("balance_after", String(40), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(120), nullable=False),
    Index("ix_ledger_fund_date", "fund_id", "date"),
    UniqueConstraint("reverses", name="uq_ledger_reverses"),  # an entry is reversed at most once
)

# A watched entity: an alert when new text gives an event of one of these types involving it,
# its parents or its locals.
watches = Table(
    "watches", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("who", String(120), nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("entity_id", "who", name="uq_watch_entity_who"),
)

# One alert per watch and event (the same event told by several reports is one event).
alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    # SET NULL, not CASCADE: re-extraction replaces event rows and a merge drops entities, and an
    # alert already raised (and mailed) must survive both; it finds its event again by fingerprint
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),
    Column("event_fingerprint", String(64), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),  # the participant that matched
    Column("snapshot", JSON, nullable=False),  # what the alert told: type, date, place, quote, document, names
    Column("created_at", String(32), nullable=False),
    Column("delivered", JSON),  # channel -> {"at", "ok", "error"}
    Column("read_at", String(32)),
    UniqueConstraint("watch_id", "event_id", name="uq_alert_watch_event"),
    UniqueConstraint("watch_id", "event_fingerprint", name="uq_alert_watch_fingerprint"),
)

# Server settings kept in the store (SMTP relay and recipients, webhook URLs).
settings = Table(
    "settings", metadata,
    Column("key", String(80), primary_key=True),
    Column("value", JSON),
)

feeds = Table(
    "feeds", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("every_seconds", Integer, nullable=False),
    Column("etag", Text),
    Column("modified", Text),
    Column("last_polled", String(32)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
)

# Each item of a feed is ingested once, by its guid (or link).
feed_items = Table(
    "feed_items", metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("item_key", String(300), primary_key=True),
    Column("document_id", String(64)),
    Column("seen_at", String(32), nullable=False),
)

# A protected person: named in exports and briefings only when the user asks (and may).
protections = Table(
    "protections", metadata,
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("at", String(32), nullable=False),
    Column("who", String(120), nullable=False),
    Column("note", Text),
)


# ---- accounts, roles and collections for a shared server (issue 7) ---------------------------------
# Secrets are never stored: a password as its argon2 hash, a session or API token as the SHA-256 of a
# random 256-bit value (enough: such a token cannot be guessed, and the hash must be looked up).
__all__ += ["users", "sessions", "api_tokens", "collections", "document_collections", "collection_grants", "auth_log"]

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),  # admin / editor / viewer
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("ip", String(64)),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("hint", String(16), nullable=False),  # the token's first characters, to tell tokens apart
    Column("name", String(120), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_used", String(32)),
    Column("revoked_at", String(32)),
)

collections = Table(
    "collections", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text),
    Column("created_at", String(32), nullable=False),
)

# No foreign key to documents: a document is put in its collection *before* it is stored (so it is
# never visible to everyone, not even for a moment), and the assignment outlives a re-extraction.
document_collections = Table(
    "document_collections", metadata,
    Column("document_id", String(64), primary_key=True),
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_document_collections_collection", "collection_id"),
)

collection_grants = Table(
    "collection_grants", metadata,
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("level", String(8), nullable=False),  # read / write
    Column("created_at", String(32), nullable=False),
    Index("ix_collection_grants_user", "user_id"),
)

# Logins (succeeded and failed, with the address) and every change to accounts, tokens, collections
# and grants. Apart from ``curations``: it holds addresses and is for admins, not curators.
auth_log = Table(
    "auth_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("who", String(120), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("ok", Boolean, nullable=False),
    Column("ip", String(64)),
    Column("detail", JSON),
)
