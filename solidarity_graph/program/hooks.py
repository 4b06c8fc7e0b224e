"""What runs after documents are stored: commitments found, exchanges proposed, alerts raised."""

from __future__ import annotations

import importlib
import logging
from typing import Any

__all__ = ["after_ingest"]

log = logging.getLogger(__name__)

# area module -> function(store, document_ids) called after each ingest batch, in this order
HOOKS = (("commitments", "scan_documents"), ("exchanges", "propose_from_documents"), ("chain", "refresh_documents"),
         ("watch", "check_documents"))


def after_ingest(store: Any, document_ids: list[str]) -> dict[str, Any]:
    """Run every area's hook over the newly stored documents; returns what each reported."""
    out: dict[str, Any] = {}
    if not document_ids:
        return out
    for area, name in HOOKS:
        try:
            module = importlib.import_module(f"solidarity_graph.program.{area}")
        except ModuleNotFoundError as e:  # an area not built yet; a missing package is an error
            if e.name != f"solidarity_graph.program.{area}":
                raise
            continue
        fn = getattr(module, name, None)
        if fn is not None:
            out[area] = fn(store, document_ids)
    return out
