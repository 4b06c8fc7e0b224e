"""GraphML export (opens in Gephi): entities and events are nodes; relations and participation are edges."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from solidarity_graph.export.jsonl import iter_records
from solidarity_graph.store import Store

__all__ = ["export_graphml"]

NS = "http://graphml.graphdrawing.org/xmlns"
KEYS = [("label", "node"), ("type", "node"), ("kind", "node"), ("country", "node"), ("date", "node"),
        ("status", "node"), ("predicate", "edge"), ("quote", "all"), ("document", "all")]


def export_graphml(store: Store, out: IO[str], *, reveal_protected: bool = False) -> int:
    """Write the graph (protected people redacted unless revealed); returns the number of nodes and edges written."""
    root = ET.Element("graphml", xmlns=NS)
    for name, target in KEYS:
        ET.SubElement(root, "key", id=name, attrib={"for": target, "attr.name": name, "attr.type": "string"})
    graph = ET.SubElement(root, "graph", id="solidarity", edgedefault="directed")
    ids: dict[str, str] = {}
    n = 0

    def data(el: ET.Element, key: str, value: object) -> None:
        if value not in (None, ""):
            ET.SubElement(el, "data", key=key).text = str(value)

    edges = []
    for rec in iter_records(store, reveal_protected=reveal_protected):
        if rec["kind"] == "entity":
            node = ET.SubElement(graph, "node", id=rec["id"])
            ids[rec["name"]] = rec["id"]
            data(node, "label", rec["name"])
            data(node, "type", rec["type"])
            data(node, "kind", rec["attributes"].get("kind"))
            data(node, "country", rec["attributes"].get("country"))
            n += 1
        elif rec["kind"] == "event":
            node = ET.SubElement(graph, "node", id=rec["id"])
            data(node, "label", f"{rec['type']} {rec['date'] or ''}".strip())
            data(node, "type", "event")
            data(node, "kind", rec["type"])
            data(node, "date", rec["date"])
            data(node, "status", rec["status"])
            data(node, "quote", rec["quote"])
            data(node, "document", rec["document"])
            n += 1
            # by id where the record has them: redacted people share one name
            for p in rec.get("participant_ids") or rec["participants"]:
                edges.append((p, rec["id"], "participates_in", rec["quote"], rec["document"]))
            if rec["place"]:
                edges.append((rec["id"], rec["place"], "takes_place_in", rec["quote"], rec["document"]))
        elif rec["kind"] == "relation":
            edges.append((rec.get("subject_id") or rec["subject"], rec.get("object_id") or rec["object"], rec["predicate"],
                          rec["quote"], rec["document"]))
    for i, (s, o, pred, quote, doc) in enumerate(edges):
        src, dst = ids.get(s, s), ids.get(o, o)
        if src not in ids.values() and not src.startswith("v") or dst not in ids.values() and not dst.startswith("v"):
            continue
        edge = ET.SubElement(graph, "edge", id=f"r{i}", source=src, target=dst)
        data(edge, "predicate", pred)
        data(edge, "quote", quote)
        data(edge, "document", doc)
        n += 1
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
    return n
