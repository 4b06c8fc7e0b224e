"""program: exchanges, commitments, employer sites and contacts, funds and ledger, watches and
alerts, settings, feeds, protected people

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("exchanges", "exchange_members", "exchange_items", "commitments", "sites", "contacts", "funds",
          "ledger_entries", "watches", "alerts", "settings", "feeds", "feed_items", "protections")


def upgrade() -> None:
    # The tables as tables.py declares them (a later change to one of them gets a migration of its own).
    from solidarity_graph.store import tables as t

    bind = op.get_bind()
    for name in TABLES:
        t.metadata.tables[name].create(bind)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
