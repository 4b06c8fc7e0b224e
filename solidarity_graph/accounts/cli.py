"""``solidarity user ...``, ``solidarity token ...``, ``solidarity collection ...``: accounts from the command line.

The command line runs with every right (whoever has the database has everything); what it changes is
written to the login and account log under the operating-system user's name.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import Any

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def _who() -> str:
    return getpass.getuser()


def _do(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except SolidarityGraphError as e:
        raise click.ClickException(str(e)) from e


def _password(from_stdin: bool, prompt: str = "Password") -> str:
    """The password: the first line of standard input (``--password-stdin``), else asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


def register(main: click.Group) -> None:
    """Add the ``user``, ``token`` and ``collection`` groups to the ``solidarity`` command."""
    from solidarity_graph.cli import _open, db_option

    @main.group()
    def user() -> None:
        """Accounts of a shared server: admin, editor or viewer (the first one makes the server ask for a login)."""

    @user.command(name="add")
    @click.argument("name")
    @click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), required=True)
    @click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
    @db_option
    def user_add(name: str, role: str, password_stdin: bool, db: str | None) -> None:
        """Create an account."""
        from solidarity_graph.accounts.users import add_user

        store = _open(db)
        password = _password(password_stdin)
        made = _do(lambda: add_user(store, name, password, role=role, who=_who()))
        click.echo(f"user {made.name} ({made.role}) added")

    @user.command(name="passwd")
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
    @db_option
    def user_passwd(name: str, password_stdin: bool, db: str | None) -> None:
        """Give an account a new password (its sessions end)."""
        from solidarity_graph.accounts.users import set_password

        store = _open(db)
        password = _password(password_stdin, "New password")
        _do(lambda: set_password(store, name, password, who=_who()))
        click.echo(f"password of {name} changed")

    @user.command(name="role")
    @click.argument("name")
    @click.argument("role", type=click.Choice(["admin", "editor", "viewer"]))
    @db_option
    def user_role(name: str, role: str, db: str | None) -> None:
        """Change an account's role."""
        from solidarity_graph.accounts.users import set_role

        store = _open(db)
        _do(lambda: set_role(store, name, role, who=_who()))
        click.echo(f"{name} is now {role}")

    @user.command(name="disable")
    @click.argument("name")
    @click.option("--enable", is_flag=True, help="Enable the account again instead.")
    @db_option
    def user_disable(name: str, enable: bool, db: str | None) -> None:
        """Disable an account: it cannot log in, its sessions end, its tokens stop working."""
        from solidarity_graph.accounts.users import set_disabled

        store = _open(db)
        _do(lambda: set_disabled(store, name, not enable, who=_who()))
        click.echo(f"{name} {'enabled' if enable else 'disabled'}")

    @user.command(name="list")
    @db_option
    def user_list(db: str | None) -> None:
        """Every account: role, state, collections granted."""
        from solidarity_graph.accounts.users import list_users

        for u in list_users(_open(db)):
            grants = ", ".join(f"{g['collection']} ({g['level']})" for g in u["grants"]) or "-"
            click.echo(f"{u['name']}\t{u['role']}{' (disabled)' if u['disabled'] else ''}\t{grants}")

    @user.command(name="log")
    @click.option("--limit", default=50, show_default=True)
    @db_option
    def user_log(limit: int, db: str | None) -> None:
        """Logins (failed ones too) and account changes, newest first."""
        from solidarity_graph.accounts.users import auth_log

        for r in auth_log(_open(db), limit):
            click.echo(f"{r['at']}\t{r['who']}\t{r['action']}{'' if r['ok'] else ' FAILED'}\t{r['target'] or ''}\t{r['ip'] or ''}")

    @main.group()
    def token() -> None:
        """API tokens: ``Authorization: Bearer <token>`` on every request."""

    @token.command(name="create")
    @click.argument("name")
    @click.option("--user", "user_name", required=True, help="The account the token acts for.")
    @db_option
    def token_create(name: str, user_name: str, db: str | None) -> None:
        """Create a token named NAME (what it is for); it is printed this once."""
        from solidarity_graph.accounts.users import create_token

        store = _open(db)
        token_id, secret = _do(lambda: create_token(store, user_name, name, who=_who()))
        click.echo(f"token {token_id} for {user_name} (shown this once):", err=True)
        click.echo(secret)

    @token.command(name="revoke")
    @click.argument("token_id", type=int)
    @db_option
    def token_revoke(token_id: int, db: str | None) -> None:
        """Revoke token number TOKEN_ID."""
        from solidarity_graph.accounts.users import revoke_token

        store = _open(db)
        _do(lambda: revoke_token(store, token_id, who=_who()))
        click.echo(f"token {token_id} revoked")

    @token.command(name="list")
    @click.option("--user", "user_name", help="Only this account's tokens.")
    @db_option
    def token_list(user_name: str | None, db: str | None) -> None:
        """Every token: number, name, account, first characters, last use (never the token)."""
        from solidarity_graph.accounts.users import list_tokens

        store = _open(db)
        for tk in _do(lambda: list_tokens(store, user_name)):
            state = f"revoked {tk['revoked_at']}" if tk["revoked_at"] else f"last used {tk['last_used'] or 'never'}"
            click.echo(f"{tk['id']}\t{tk['name']}\t{tk['user']}\t{tk['hint']}...\t{state}")

    _register_collections(main, _open, db_option)


def _register_collections(main: click.Group, _open: Callable[[str | None], Any], db_option: Callable[[Any], Any]) -> None:
    from solidarity_graph.accounts import collections as coll

    @main.group()
    def collection() -> None:
        """Collections of documents that only the accounts granted them may see."""

    @collection.command(name="add")
    @click.argument("name")
    @click.option("--description", help="What the collection holds.")
    @db_option
    def collection_add(name: str, description: str | None, db: str | None) -> None:
        """Create a collection."""
        store = _open(db)
        _do(lambda: coll.add_collection(store, name, description, who=_who()))
        click.echo(f"collection {name!r} added")

    @collection.command(name="list")
    @db_option
    def collection_list(db: str | None) -> None:
        """Every collection: documents, grants."""
        for c in coll.list_collections(_open(db)):
            grants = ", ".join(f"{g['user']} ({g['level']})" for g in c["grants"]) or "admins only"
            click.echo(f"{c['name']}\t{c['documents']} documents\t{grants}")

    @collection.command(name="grant")
    @click.argument("name")
    @click.argument("user_name", metavar="USER")
    @click.option("--level", type=click.Choice(list(coll.LEVELS)), default="read", show_default=True,
                  help="read: see it; write: also upload into it.")
    @db_option
    def collection_grant(name: str, user_name: str, level: str, db: str | None) -> None:
        """Let USER see the collection NAME."""
        store = _open(db)
        _do(lambda: coll.grant(store, name, user_name, level, who=_who()))
        click.echo(f"{user_name} may {level} {name!r}")

    @collection.command(name="revoke")
    @click.argument("name")
    @click.argument("user_name", metavar="USER")
    @db_option
    def collection_revoke(name: str, user_name: str, db: str | None) -> None:
        """Take USER's grant on the collection NAME away."""
        store = _open(db)
        _do(lambda: coll.revoke(store, name, user_name, who=_who()))
        click.echo(f"{user_name} may no longer see {name!r}")

    @collection.command(name="assign")
    @click.argument("name")
    @click.argument("documents", nargs=-1, required=True)
    @click.option("--remove", is_flag=True, help="Take the documents out of the collection instead.")
    @db_option
    def collection_assign(name: str, documents: tuple[str, ...], remove: bool, db: str | None) -> None:
        """Put stored DOCUMENTS (their ids) in the collection NAME."""
        store = _open(db)
        fn = coll.unassign if remove else coll.assign
        out = _do(lambda: fn(store, name, list(documents), who=_who()))
        n = out["unassigned"] if remove else len(out["assigned"])
        click.echo(f"{n} documents {'taken out of' if remove else 'put in'} {name!r}")
