"""full-text search on PostgreSQL: tsvector columns, GIN indexes, trigram indexes for CJK substrings

On SQLite this revision does nothing (0002 gave it FTS5). On PostgreSQL it adds a text search
configuration ``solidarity_search`` (a copy of ``simple``: texts are multilingual, so no stemming and
no stop words; accents folded through ``unaccent`` where that extension can be installed, as FTS5's
``remove_diacritics`` does), stored generated ``tsvector`` columns over documents (title weighted A,
text B) and aliases, with GIN indexes, and ``pg_trgm`` indexes where that extension can be installed
(substring search for scripts written without spaces between words: Korean, Japanese, Chinese, Thai).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CONFIG = "solidarity_search"
# tsvector values are limited to 1 MB: the index covers a document's first 250,000 characters
# (about 100 pages), which stays below that limit whatever the text is made of.
INDEXED_CHARS = 250_000

UP = [
    f"ALTER TABLE documents ADD COLUMN fts tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('{CONFIG}', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', left(text, {INDEXED_CHARS})), 'B')) STORED",
    "CREATE INDEX ix_documents_fts ON documents USING gin (fts)",
    f"ALTER TABLE aliases ADD COLUMN fts tsvector GENERATED ALWAYS AS (to_tsvector('{CONFIG}', name)) STORED",
    "CREATE INDEX ix_aliases_fts ON aliases USING gin (fts)",
]
TRIGRAM = [
    "CREATE INDEX ix_documents_text_trgm ON documents USING gin (text gin_trgm_ops)",
    "CREATE INDEX ix_documents_title_trgm ON documents USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_aliases_name_trgm ON aliases USING gin (name gin_trgm_ops)",
]
DOWN = [
    "DROP INDEX IF EXISTS ix_documents_text_trgm", "DROP INDEX IF EXISTS ix_documents_title_trgm",
    "DROP INDEX IF EXISTS ix_aliases_name_trgm", "DROP INDEX IF EXISTS ix_documents_fts",
    "DROP INDEX IF EXISTS ix_aliases_fts", "ALTER TABLE documents DROP COLUMN IF EXISTS fts",
    "ALTER TABLE aliases DROP COLUMN IF EXISTS fts", f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
]


def _extension(bind: Connection, name: str) -> bool:
    """Install a contrib extension if the server has it and we may; False (and nothing changed) otherwise."""
    if bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = :n"), {"n": name}).first() is None:
        return False
    try:
        with bind.begin_nested():  # a refusal (no privilege) must not abort the migration's transaction
            bind.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name}"))
    except DBAPIError:
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)")
    if _extension(bind, "unaccent"):
        op.execute(f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR "
                   "word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple")
    for sql in UP:
        op.execute(sql)
    if _extension(bind, "pg_trgm"):
        for sql in TRIGRAM:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for sql in DOWN:
        op.execute(sql)
