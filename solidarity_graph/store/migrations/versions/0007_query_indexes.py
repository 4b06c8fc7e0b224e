"""query indexes: events by place and by date, documents by ingest time

The entity page reads the events at a place, and the home page the latest events and documents;
without these each read the whole table (issue 7: on 100,000 documents, tens of milliseconds each).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_place", "events", ["place_id"])
    op.create_index("ix_events_date", "events", ["date", "id"])
    op.create_index("ix_documents_ingested", "documents", ["ingested_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_ingested", table_name="documents")
    op.drop_index("ix_events_date", table_name="events")
    op.drop_index("ix_events_place", table_name="events")
