"""curation: an audited log of curators' changes, fact reviews by fingerprint, hand-made facts

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "curations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
        sa.Column("note", sa.Text()),
    )
    op.create_table(
        "fact_reviews",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("curation_id", sa.Integer(), sa.ForeignKey("curations.id", ondelete="SET NULL")),
    )
    for table in ("relations", "events"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("fingerprint", sa.String(64)))
            batch.add_column(sa.Column("review", sa.String(16)))
            batch.create_index(f"ix_{table}_fingerprint", ["fingerprint"])
    with op.batch_alter_table("relations") as batch:
        batch.alter_column("document_id", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    for table in ("relations", "events"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_fingerprint")
            batch.drop_column("review")
            batch.drop_column("fingerprint")
    op.drop_table("fact_reviews")
    op.drop_table("curations")
