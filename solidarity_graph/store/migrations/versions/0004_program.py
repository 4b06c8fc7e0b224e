"""program: exchanges, commitments, employer sites and contacts, funds and ledger, watches and
alerts, settings, feeds, protected people

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("exchanges", "exchange_members", "exchange_items", "commitments", "sites", "contacts", "funds",
          "ledger_entries", "watches", "alerts", "settings", "feeds", "feed_items", "protections")


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date_start", sa.String(10)),
        sa.Column("date_end", sa.String(10)),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("event_fingerprint", sa.String(64)),
        sa.Column("produced", sa.Text()),
        sa.Column("notes", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_exchanges_fingerprint", "exchanges", ["event_fingerprint"])
    op.create_table(
        "exchange_members",
        sa.Column("exchange_id", sa.Integer(), sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entity_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
    )
    op.create_table(
        "exchange_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("exchange_id", sa.Integer(), sa.ForeignKey("exchanges.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("date", sa.String(10)),
        sa.Column("place_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(16)),
        sa.Column("event_fingerprint", sa.String(64)),
    )
    op.create_index("ix_exchange_items_exchange", "exchange_items", ["exchange_id"])
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("object_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("object_text", sa.Text()),
        sa.Column("due", sa.String(10)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_at", sa.String(32)),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="SET NULL")),
        sa.Column("origin_document", sa.String(64)),
        sa.Column("subject_text", sa.Text()),
        sa.Column("start", sa.Integer()),
        sa.Column("end", sa.Integer()),
        sa.Column("quote", sa.Text()),
        sa.Column("exchange_id", sa.Integer(), sa.ForeignKey("exchanges.id", ondelete="SET NULL")),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("extractor", sa.String(48), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_commitments_fingerprint", "commitments", ["fingerprint"])
    op.create_index("ix_commitments_status", "commitments", ["status"])
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("employer_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("country", sa.String(2)),
        sa.Column("city", sa.Text()),
        sa.Column("union_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("workers", sa.Integer()),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="SET NULL")),
        sa.Column("quote", sa.Text()),
        sa.Column("start", sa.Integer()),
        sa.Column("end", sa.Integer()),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_sites_employer", "sites", ["employer_id"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entity_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person", sa.Text()),
        sa.Column("email", sa.Text()),
        sa.Column("phone", sa.Text()),
        sa.Column("since", sa.String(10)),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_contacts_entity", "contacts", ["entity_id"])
    op.create_table(
        "funds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fund_id", sa.Integer(), sa.ForeignKey("funds.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("from_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("from_name", sa.Text()),
        sa.Column("to_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("to_name", sa.Text()),
        sa.Column("purpose", sa.Text()),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("exchange_id", sa.Integer(), sa.ForeignKey("exchanges.id", ondelete="SET NULL")),
        sa.Column("event_fingerprint", sa.String(64)),
        sa.Column("reverses", sa.Integer(), sa.ForeignKey("ledger_entries.id", ondelete="RESTRICT")),
        sa.Column("balance_after", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.UniqueConstraint("reverses", name="uq_ledger_reverses"),
    )
    op.create_index("ix_ledger_fund_date", "ledger_entries", ["fund_id", "date"])
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entity_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("entity_id", "who", name="uq_watch_entity_who"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("watch_id", sa.Integer(), sa.ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("event_fingerprint", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("delivered", sa.JSON()),
        sa.Column("read_at", sa.String(32)),
        sa.UniqueConstraint("watch_id", "event_id", name="uq_alert_watch_event"),
        sa.UniqueConstraint("watch_id", "event_fingerprint", name="uq_alert_watch_fingerprint"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON()),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False, unique=True),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("modified", sa.Text()),
        sa.Column("last_polled", sa.String(32)),
        sa.Column("last_status", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "feed_items",
        sa.Column("feed_id", sa.Integer(), sa.ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item_key", sa.String(300), primary_key=True),
        sa.Column("document_id", sa.String(64)),
        sa.Column("seen_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "protections",
        sa.Column("entity_id", sa.Integer(), sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("note", sa.Text()),
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
