"""accounts for a shared server: users, sessions, API tokens, collections, grants and the login log

Secrets are stored as hashes only: passwords as argon2 hashes, session and API tokens as SHA-256 of
a random value. ``document_collections`` has no foreign key to ``documents``: a document is put in
its collection before it is stored, and keeps it across re-extraction.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        sa.Column("ip", sa.String(64)),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_used", sa.String(32)),
        sa.Column("revoked_at", sa.String(32)),
    )
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "document_collections",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_document_collections_collection", "document_collections", ["collection_id"])
    op.create_table(
        "collection_grants",
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_collection_grants_user", "collection_grants", ["user_id"])
    op.create_table(
        "auth_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text()),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("detail", sa.JSON()),
    )


def downgrade() -> None:
    op.drop_table("auth_log")
    op.drop_index("ix_collection_grants_user", table_name="collection_grants")
    op.drop_table("collection_grants")
    op.drop_index("ix_document_collections_collection", table_name="document_collections")
    op.drop_table("document_collections")
    op.drop_table("collections")
    op.drop_table("api_tokens")
    op.drop_table("sessions")
    op.drop_table("users")
