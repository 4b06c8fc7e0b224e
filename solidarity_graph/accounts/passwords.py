"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's second recommendation).

    >>> stored = hash_password("correct horse battery")
    >>> verify_password(stored, "correct horse battery"), verify_password(stored, "wrong")
    (True, False)
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from solidarity_graph.errors import InputError

__all__ = ["MIN_LENGTH", "hash_password", "verify_password", "needs_rehash", "check_password_rules", "dummy_hash"]

MIN_LENGTH = 10  # characters; a passphrase of three words passes
MAX_LENGTH = 1024  # argon2 reads any length, but a megabyte "password" is a denial of service
_HASHER = PasswordHasher()


def check_password_rules(password: str) -> None:
    """Refuse a password too short or too long (an InputError naming the field)."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"a password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InputError(f"a password has at most {MAX_LENGTH} characters", field="password")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; the parameters are written into the hash)."""
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches the stored hash; False on a mismatch or a damaged hash."""
    try:
        return _HASHER.verify(stored, password[:MAX_LENGTH + 1])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with weaker parameters than today's (it is replaced at the next login)."""
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so an unknown name takes as long as a wrong password."""
    return hash_password("no such user, never matches")
