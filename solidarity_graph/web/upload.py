"""``POST /api/v1/documents``: ingest an uploaded file through the same pipeline as the CLI.

Limits: the ingest size limit (20 MiB); the name is reduced to safe characters and the file is
written only inside the data folder (``uploads/`` beside the database); an unreadable file gets a
4xx with the reason and leaves nothing behind. Uploads need the ``X-Solidarity-Upload`` header,
which a cross-site form cannot send. A ``collection`` form field puts the document in that collection
before it is stored, so it is never visible to accounts without a grant on it (issue 7).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile

from solidarity_graph.accounts.collections import assign_before_storing
from solidarity_graph.errors import InputError, SolidarityGraphError
from solidarity_graph.ingest import MAX_BYTES, SUPPORTED_SUFFIXES, read_document
from solidarity_graph.pipeline import ingest_documents

router = APIRouter(prefix="/api/v1", tags=["ingest"])


def safe_name(name: str) -> str:
    """A file name with no path, no leading dots and only letters, digits, ``.-_``."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).lstrip(".")
    return base[:120] or "upload"


def uploads_dir(request: Request) -> Path:
    """The data folder for uploads: beside an SQLite database, else a temporary folder."""
    url = str(request.app.state.store.engine.url)
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        folder = Path(url[len("sqlite:///"):]).parent / "uploads"
    else:
        folder = Path(tempfile.gettempdir()) / "solidarity-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@router.post("/documents", status_code=201)
async def upload(request: Request, file: UploadFile, published: str | None = None,
                 collection: str | None = Form(None, max_length=200)) -> dict[str, Any]:
    """Ingest one uploaded document; answers what was added. ``collection`` (a form field): the collection to put it in,
    before it is stored (an admin's, or an editor's with a ``write`` grant on it)."""
    if request.headers.get("x-solidarity-upload") != "1":
        raise HTTPException(status_code=403, detail="uploads need the X-Solidarity-Upload: 1 header")
    _may_upload_into(request, collection)
    name = safe_name(file.filename or "")
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise HTTPException(status_code=415, detail=f"unsupported file type {Path(name).suffix or '(none)'!r}")
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HTTPException(status_code=413, detail="over the size limit of 20 MiB")
    folder = uploads_dir(request)
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        raise HTTPException(status_code=400, detail="bad file name")
    stem, n = target.stem, 1
    while target.exists():
        target = folder / f"{stem}-{n}{target.suffix}"
        n += 1
    target.write_bytes(data)
    try:
        doc = read_document(target, published=published, source=f"upload:{name}")
    except InputError as e:
        target.unlink(missing_ok=True)
        raise HTTPException(status_code=422, detail=f"{name}: {e.message}") from e
    try:
        docs = [doc] if not collection else assign_before_storing(request.app.state.store, collection, [doc], who=_who(request))
        summary = ingest_documents(docs, request.app.state.store)
    except SolidarityGraphError as e:
        target.unlink(missing_ok=True)
        raise HTTPException(status_code=422, detail=str(e)) from e
    if summary.failed:
        target.unlink(missing_ok=True)
        raise HTTPException(status_code=422, detail=f"{name}: {summary.failed[0][1]}")
    if summary.unchanged:
        target.unlink(missing_ok=True)
    return {"ok": True, "document": doc.id, "new": summary.new, "unchanged": summary.unchanged, "added": summary.added,
            "collection": collection or None}


def _who(request: Request) -> str:
    from solidarity_graph.web.auth import current_user

    user = current_user(request)
    return user.name if user is not None else "web"


def _may_upload_into(request: Request, collection: str | None) -> None:
    """403 unless the account may put documents in ``collection``; 400 when there is no such collection."""
    from solidarity_graph.accounts.collections import may_write
    from solidarity_graph.web.auth import current_user

    if not collection:
        return
    try:
        allowed = may_write(request.app.state.store, current_user(request), collection)
    except InputError as e:
        raise HTTPException(status_code=400, detail=e.message) from e
    if not allowed:
        raise HTTPException(status_code=403, detail=f"you may not upload into {collection!r} (an admin grants write access)")
