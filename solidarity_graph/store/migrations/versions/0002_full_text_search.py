"""full-text search: FTS5 over documents and names on SQLite

PostgreSQL gets its own full-text indexes in a later revision; this one does nothing there.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
    "CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); END",
    "CREATE TRIGGER documents_fts_au AFTER UPDATE ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
    "CREATE VIRTUAL TABLE aliases_fts USING fts5(name, content='aliases', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER aliases_fts_ai AFTER INSERT ON aliases BEGIN "
    "INSERT INTO aliases_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER aliases_fts_ad AFTER DELETE ON aliases BEGIN "
    "INSERT INTO aliases_fts(aliases_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER aliases_fts_au AFTER UPDATE ON aliases BEGIN "
    "INSERT INTO aliases_fts(aliases_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO aliases_fts(rowid, name) VALUES (new.id, new.name); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS documents_fts_ai", "DROP TRIGGER IF EXISTS documents_fts_ad",
    "DROP TRIGGER IF EXISTS documents_fts_au", "DROP TABLE IF EXISTS documents_fts",
    "DROP TRIGGER IF EXISTS aliases_fts_ai", "DROP TRIGGER IF EXISTS aliases_fts_ad",
    "DROP TRIGGER IF EXISTS aliases_fts_au", "DROP TABLE IF EXISTS aliases_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_UP:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_DOWN:
            op.execute(sql)
