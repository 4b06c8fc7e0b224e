"""A small world for the accounts tests: public documents, one in the collection "KCTU internal", and accounts.

The hidden memo names an organization (the Hanbit Shipyard Workers' Union), a person (Ryu Jae-hwan)
and a place (Ulsan) that no public document names, and tells a strike only it tells, a May Day rally
that a public report also tells (without UE), a delegation (an exchange is proposed from it) and a
commitment. Around it: a watch on KCTU (an alert on the hidden strike), a fund entry to the hidden
union, a contact there, a protection of the hidden person, a curator's rename and a hand-made fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from solidarity_graph.accounts import collections as coll
from solidarity_graph.accounts import users
from solidarity_graph.curation import add_fact, rename_entity
from solidarity_graph.model import Document
from solidarity_graph.pipeline import ingest_documents
from solidarity_graph.program import chain, ledger, protect, watch
from solidarity_graph.program.commitments import add_commitment
from solidarity_graph.program.exchanges import create_exchange
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

PUBLIC = """Union News
Date: 2024-02-01

The Korean Confederation of Trade Unions (KCTU) is a national union federation. The United Electrical Workers (UE) represents workers at the Wabtec plant in Erie, Pennsylvania."""
HIDDEN = """Internal memo
Date: 2024-05-02

KCTU, UE and Ryu Jae-hwan held a May Day rally in Seoul on May 1, 2024. KCTU joined a strike of the Hanbit Shipyard Workers' Union in Ulsan on March 12, 2024. Union president Ryu Jae-hwan said the strike would continue. The Hanbit Shipyard Workers' Union represents workers at the Wabtec plant in Ulsan. In April 2024, a delegation of the Hanbit Shipyard Workers' Union traveled to Chicago to meet the United Electrical Workers. We commit to send a delegation to the UE convention in 2025."""
RALLY = """Union News
Date: 2024-05-03

KCTU held a May Day rally in Seoul on May 1, 2024."""

COLLECTION = "KCTU internal"
PASSWORDS = {"ada": "admin-passphrase-1", "eddie": "editor-passphrase-1", "vera": "viewer-passphrase-1", "gina": "viewer-passphrase-2"}
ROLES = {"ada": "admin", "eddie": "editor", "vera": "viewer", "gina": "viewer"}
MARKERS = ("Hanbit", "Ryu Jae-hwan", "Ulsan", "strike memo", "joined a strike")  # said only in the hidden memo


@dataclass
class World:
    """The store's ids the tests need, and an API token per account."""

    public: str
    hidden: str
    rally_report: str
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, user: str) -> dict[str, str]:
        """The header that makes a request ``user``'s."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _doc(text: str, title: str, published: str, source: str) -> Document:
    return Document(text=text, source=source, title=title, published=published)


def _entity(store: Store, name: str) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(t.entities.c.id).where(t.entities.c.name == name)).scalar_one())


def build(store: Store, *, accounts: bool = True) -> World:
    """Ingest the three documents (the memo into "KCTU internal") and make the program's records around them."""
    public = _doc(PUBLIC, "Union federations", "2024-02-01", "federations.txt")
    hidden = _doc(HIDDEN, "Hanbit strike memo", "2024-05-02", "memo.txt")
    rally = _doc(RALLY, "May Day in Seoul", "2024-05-03", "mayday.txt")
    ingest_documents([public], store)
    watch.add_watch(store, "KCTU", who="tester")
    coll.add_collection(store, COLLECTION, "Minutes and memos of the KCTU liaison", who="setup")
    ingest_documents(coll.assign_before_storing(store, COLLECTION, [hidden], who="setup"), store)
    ingest_documents([rally], store)
    w = World(public=public.id, hidden=hidden.id, rally_report=rally.id)
    w.ids = {"kctu": _entity(store, "Korean Confederation of Trade Unions"), "ue": _entity(store, "United Electrical, Radio and Machine Workers of America"),
             "wabtec": _entity(store, "Wabtec"), "hanbit": _entity(store, "Hanbit Shipyard Workers' Union"),
             "ryu": _entity(store, "Ryu Jae-hwan"), "ulsan": _entity(store, "Ulsan")}
    with store.connect() as conn:
        w.ids["strike"] = int(conn.execute(select(t.events.c.id).where(t.events.c.type == "strike")).scalar_one())
        w.ids["rally"] = int(conn.execute(select(t.events.c.id).where(t.events.c.type == "rally")).scalar_one())
    _program(store, w)
    if accounts:
        add_accounts(store, w)
    return w


def _program(store: Store, w: World) -> None:
    fund = ledger.create_fund(store, "Solidarity Fund", "USD", who="setup")
    w.ids["fund"] = int(fund["id"])
    ledger.record_contribution(store, w.ids["fund"], "800.00", source="UE", date="2024-03-01", who="setup")
    ledger.record_grant(store, w.ids["fund"], "500.00", to="Hanbit Shipyard Workers' Union", date="2024-03-20", who="setup",
                        purpose="strike support for the Hanbit Shipyard Workers' Union", event=w.ids["strike"])
    chain.add_contact(store, w.ids["hanbit"], who="setup", person="Kim Hanbit-contact", email="liaison@example.org")
    protect.protect_person(store, w.ids["ryu"], who="setup", note="organizer under threat")
    rename_entity(store, w.ids["hanbit"], "Hanbit Shipyard Workers Union", who="setup")
    add_fact(store, w.ids["kctu"], "ally_of", w.ids["hanbit"], who="setup", note="said at the 2024 liaison meeting")
    made = create_exchange(store, kind="exchange", title="Shipyard exchange", who="setup", travelers=[str(w.ids["ue"])],
                           hosts=[str(w.ids["hanbit"])])
    w.ids["exchange_by_hand"] = int(made["exchange"]["id"])
    add_commitment(store, "commitment", "send a shipyard delegation", who="setup", note="phone call",
                   subject=w.ids["hanbit"], object_=w.ids["ue"])
    with store.connect() as conn:
        w.ids["exchange_proposed"] = int(conn.execute(select(t.exchanges.c.id).where(t.exchanges.c.event_fingerprint.is_not(None))).scalar_one())


def add_accounts(store: Store, w: World) -> None:
    """The four accounts (gina may read "KCTU internal") and a token each."""
    for name, role in ROLES.items():
        users.add_user(store, name, PASSWORDS[name], role=role, who="setup")
        w.tokens[name] = users.create_token(store, name, "tests", who="setup")[1]
    coll.grant(store, COLLECTION, "gina", "read", who="setup")


def leaks(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The markers of the hidden memo found in ``text`` (after taking out what the request itself said)."""
    for a in allowed:
        text = text.replace(a, "")
    return [m for m in MARKERS if m.lower() in text.lower()]


def row(store: Store, table: Any, **where: Any) -> Any:
    """The first row of ``table`` matching ``where``."""
    q = select(table)
    for k, v in where.items():
        q = q.where(table.c[k] == v)
    with store.connect() as conn:
        return conn.execute(q).first()
