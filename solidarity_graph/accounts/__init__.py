"""Accounts for a shared server: users and roles, sessions, API tokens, collections and what each account may see.

- :mod:`~solidarity_graph.accounts.passwords`: argon2 hashing;
- :mod:`~solidarity_graph.accounts.users`: accounts, roles, sessions, API tokens, the login and account log;
- :mod:`~solidarity_graph.accounts.collections`: collections of documents and the grants on them;
- :mod:`~solidarity_graph.accounts.visibility`: what one account may see, passed into every query.

With no account in the store a server is open, as it was before accounts existed (one person on
127.0.0.1); the first account closes it.
"""

from solidarity_graph.accounts.users import ROLES, User
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility

__all__ = ["ROLES", "User", "EVERYTHING", "Visibility"]
