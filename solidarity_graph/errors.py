"""The exception family of Solidarity Graph.

    SolidarityGraphError
     ├── InputError          bad input: carries path, line and field where known
     │    └── UnreadableDocument   a file that cannot be read as a document
     ├── SchemaError         a schema YAML file that does not check out
     └── StoreError          the store cannot be opened or written

The library raises these; the CLI turns each into one line and a non-zero exit.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "SchemaError",
    "SolidarityGraphError",
    "StoreError",
    "UnreadableDocument",
]


class SolidarityGraphError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(SolidarityGraphError):
    """Bad input, named by file, line and field where they are known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [p for p in (self.path, f"line {self.line}" if self.line else None) if p]
        if self.field:
            where.append(f"field {self.field!r}")
        return ": ".join([*where, self.message])


class UnreadableDocument(InputError):
    """A file that cannot be read as a document (empty, binary, encrypted, too big...)."""


class SchemaError(SolidarityGraphError):
    """A schema file (entity types, event codebook, relations, roles) is inconsistent."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        where = ": ".join(p for p in (path, key) if p)
        super().__init__(f"{where}: {message}" if where else message)


class StoreError(SolidarityGraphError):
    """The store cannot be opened, migrated or written."""
