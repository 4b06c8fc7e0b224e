"""Delivering alerts: e-mail over SMTP and JSON POSTed to webhooks, each result kept on the alert.

The channels are settings kept in the store (``settings`` row ``alerts``), set with
``solidarity alerts configure``. The SMTP password is never stored: it is read from the
environment variable ``SOLIDARITY_SMTP_PASSWORD`` when a login name is set. A channel that fails
(server down, refused, timed out) leaves the alert in the store with the error in
``alerts.delivered``; :func:`deliver` without ids tries every undelivered alert again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, update

from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["AlertSettings", "get_settings", "configure", "deliver", "email_message", "alert_text", "subject_line",
           "document_link", "PASSWORD_ENV"]

SETTINGS_KEY = "alerts"
PASSWORD_ENV = "SOLIDARITY_SMTP_PASSWORD"
USER_AGENT = "solidarity-graph-alerts/1"


@dataclass
class AlertSettings:
    """Where alerts go: an SMTP relay and its recipients, webhook URLs, and the web UI's address for links."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    mail_from: str | None = None
    mail_to: list[str] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)
    base_url: str | None = None
    timeout: float = 10.0  # seconds for each connection; a dead server must not hold up an ingest

    def channels(self) -> list[str]:
        """The configured channels: ``email`` and ``webhook URL`` for each webhook."""
        mail = ["email"] if self.smtp_host and self.mail_to else []
        return mail + [f"webhook {u}" for u in self.webhooks]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def get_settings(store: Store) -> AlertSettings:
    """The alert settings stored (defaults where none)."""
    with store.connect() as conn:
        row = conn.execute(select(t.settings.c.value).where(t.settings.c.key == SETTINGS_KEY)).first()
    known = set(AlertSettings.__dataclass_fields__)
    return AlertSettings(**{k: v for k, v in (row.value if row and row.value else {}).items() if k in known})


def _check_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"{url!r} is not an http(s) URL", field=name)
    return url


def _check_address(addr: str, name: str) -> str:
    addr = addr.strip()
    if "@" not in addr or " " in addr or addr.startswith("@") or addr.endswith("@"):
        raise InputError(f"{addr!r} is not an e-mail address", field=name)
    return addr


def configure(store: Store, *, who: str, reset: bool = False, **changes: Any) -> AlertSettings:
    """Change the alert settings (fields of :class:`AlertSettings`; None leaves one as it is), audited."""
    unknown = set(changes) - set(AlertSettings.__dataclass_fields__)
    if unknown:
        raise InputError(f"unknown setting {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = AlertSettings() if reset else get_settings(store)
    data = asdict(before)
    data.update({k: v for k, v in changes.items() if v is not None})
    s = AlertSettings(**data)
    if not 0 < int(s.smtp_port) < 65536:
        raise InputError(f"port {s.smtp_port} is not between 1 and 65535", field="smtp_port")
    s.mail_to = [_check_address(a, "mail_to") for a in s.mail_to]
    if s.mail_from:
        s.mail_from = _check_address(s.mail_from, "mail_from")
    s.webhooks = [_check_url(u, "webhook") for u in s.webhooks]
    if s.base_url:
        s.base_url = _check_url(s.base_url, "base_url").rstrip("/")
    if s.timeout <= 0:
        raise InputError("the timeout must be positive", field="timeout")
    with store.engine.begin() as conn:
        old = conn.execute(select(t.settings.c.value).where(t.settings.c.key == SETTINGS_KEY)).first()
        conn.execute(delete(t.settings).where(t.settings.c.key == SETTINGS_KEY))
        conn.execute(insert(t.settings).values(key=SETTINGS_KEY, value=asdict(s)))
        log_change(conn, who, "configure", "settings alerts", old.value if old else None, asdict(s), None)
    return s


# ---- the message ---------------------------------------------------------------------------------
def document_link(alert: dict[str, Any], base_url: str | None) -> str | None:
    """The alert's sentence in the web UI, where the server's address is known."""
    if not base_url or not alert.get("document"):
        return None
    span = alert.get("span")
    hl = f"?hl={span[0]}-{span[1]}#hl" if span else ""
    return f"{base_url.rstrip('/')}/document/{alert['document']}{hl}"


def _who_line(alert: dict[str, Any]) -> str:
    via = {"watched": "which you watch", "local": f"a local of {alert['watched']}, which you watch",
           "parent": f"a parent of {alert['watched']}, which you watch"}
    return f"{alert['entity']} ({via.get(alert['via'], '')})"


def subject_line(alert: dict[str, Any]) -> str:
    """``strike: UNITE HERE Local 11 (2024-07-08)``."""
    return f"{alert['event_type']}: {alert['entity']}" + (f" ({alert['date']})" if alert.get("date") else "")


def alert_text(alert: dict[str, Any], base_url: str | None) -> str:
    """An alert for people to read: type, entity, date, place, quote, document (and a link to it)."""
    lines = [f"Event:    {alert['event_type']} ({alert['status']})", f"Entity:   {_who_line(alert)}",
             f"Date:     {alert.get('date') or 'not given'}" + (f" to {alert['date_end']}" if alert.get("date_end") else ""),
             f"Place:    {alert.get('place') or 'not given'}", "", f"“{alert['quote']}”", "",
             f"Document: {alert.get('title') or ''} [{alert['document']}]", f"Source:   {alert.get('source') or ''}"]
    link = document_link(alert, base_url)
    if link:
        lines.append(f"Read it:  {link}")
    return "\n".join(lines) + "\n"


def email_message(alert: dict[str, Any], s: AlertSettings) -> EmailMessage:
    """The e-mail for one alert."""
    msg = EmailMessage()
    msg["Subject"] = f"[Solidarity Graph] {subject_line(alert)}"
    msg["From"] = s.mail_from or "solidarity-graph@localhost"
    msg["To"] = ", ".join(s.mail_to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="solidarity-graph.local")
    msg.set_content(alert_text(alert, s.base_url))
    return msg


# ---- the channels --------------------------------------------------------------------------------
def _result(ok: bool, error: str | None = None, status: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"at": _now(), "ok": ok, "error": error}
    if status is not None:
        out["status"] = status
    return out


def _send_email(alerts: list[dict[str, Any]], s: AlertSettings) -> dict[int, dict[str, Any]]:
    """One SMTP session for the batch; a connection failure marks every alert of it failed."""
    assert s.smtp_host is not None
    out: dict[int, dict[str, Any]] = {}
    try:
        with smtplib.SMTP(s.smtp_host, int(s.smtp_port), timeout=s.timeout) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, os.environ.get(PASSWORD_ENV, ""))
            for a in alerts:
                try:
                    smtp.send_message(email_message(a, s))
                    out[a["id"]] = _result(True)
                except smtplib.SMTPException as e:  # this message refused; the next may pass
                    out[a["id"]] = _result(False, f"{type(e).__name__}: {e}")
    except (OSError, smtplib.SMTPException) as e:
        err = f"{s.smtp_host}:{s.smtp_port}: {type(e).__name__}: {e}"
        for a in alerts:
            out.setdefault(a["id"], _result(False, err))
    return out


def _post(url: str, alert: dict[str, Any], timeout: float) -> int:
    body = json.dumps({"alert": alert}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # a URL the operator configured
        return int(resp.status)


def _send_webhook(url: str, alerts: list[dict[str, Any]], s: AlertSettings) -> dict[int, dict[str, Any]]:
    """POST each alert as JSON; after a connection failure the rest of the batch is not tried."""
    out: dict[int, dict[str, Any]] = {}
    down: str | None = None
    for a in alerts:
        if down:
            out[a["id"]] = _result(False, down)
            continue
        try:
            status = _post(url, a, s.timeout)
            out[a["id"]] = _result(200 <= status < 300, None if status < 300 else f"HTTP {status}", status)
        except urllib.error.HTTPError as e:
            out[a["id"]] = _result(False, f"HTTP {e.code} {e.reason}", e.code)
        except (urllib.error.URLError, OSError) as e:
            down = f"{url}: {type(e).__name__}: {getattr(e, 'reason', e)}"
            out[a["id"]] = _result(False, down)
    return out


def _pending(alert: dict[str, Any], channels: list[str]) -> list[str]:
    return [c for c in channels if not (alert["delivered"].get(c) or {}).get("ok")]


def deliver(store: Store, ids: list[int] | None = None) -> dict[str, int]:
    """Send alerts ``ids`` (default: every alert) on each configured channel that has not taken them
    yet, and record each result on the alert. Returns counts: ``email`` and ``webhook`` sent,
    ``failed`` failures."""
    from solidarity_graph.program.watch import list_alerts

    s = get_settings(store)
    channels = s.channels()
    if not channels:
        return {}
    alerts = [a for a in list_alerts(store, ids=ids) if _pending(a, channels)]
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for channel in channels:
        batch = [a for a in alerts if channel in _pending(a, channels)]
        if not batch:
            continue
        got = _send_email(batch, s) if channel == "email" else _send_webhook(channel.split(" ", 1)[1], batch, s)
        for aid, res in got.items():
            results.setdefault(aid, {})[channel] = res
    counts: dict[str, int] = {}
    with store.engine.begin() as conn:
        for a in alerts:
            got_a = results.get(a["id"], {})
            conn.execute(update(t.alerts).where(t.alerts.c.id == a["id"]).values(delivered={**a["delivered"], **got_a}))
            for channel, res in got_a.items():
                key = channel.split(" ", 1)[0] if res["ok"] else "failed"
                counts[key] = counts.get(key, 0) + 1
    return counts
