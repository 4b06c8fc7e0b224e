"""CSV export: one row per fact, the same records as the JSON Lines export, flattened."""

from __future__ import annotations

import csv
import json
from typing import IO

from solidarity_graph.export.jsonl import iter_records
from solidarity_graph.store import Store

__all__ = ["export_csv", "COLUMNS"]

COLUMNS = ["kind", "id", "type", "name", "aliases", "attributes", "status", "date", "date_end", "place",
           "participants", "size", "size_hedge", "subject", "predicate", "object", "value", "of", "hedge",
           "quote", "document", "confidence"]


def export_csv(store: Store, out: IO[str], *, reveal_protected: bool = False) -> int:
    """Write every fact as a CSV row; lists joined with "; ", attributes as JSON (protected people redacted unless revealed)."""
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for rec in iter_records(store, reveal_protected=reveal_protected):
        row = dict(rec)
        for k in ("aliases", "participants"):
            if k in row:
                row[k] = "; ".join(row[k])
        if "attributes" in row:
            row["attributes"] = json.dumps(row["attributes"], ensure_ascii=False)
        writer.writerow(row)
        n += 1
    return n
