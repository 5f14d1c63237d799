"""Password hashing with Argon2id (the OWASP-recommended KDF)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's first recommended Argon2id setting (Password Storage Cheat Sheet): 19 MiB,
# 2 passes, 1 lane. argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes) cost 215 ms of
# CPU per hash here against 28 ms: on 2 cores, 4 sign-ups a second took a third of
# the machine in benchmarks/launch_day.py. Hashes carry their parameters, so older
# ones still verify, and are rehashed with these at the next log-in (accounts.py).
PRODUCTION_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


def make_hasher(fast: bool = False) -> PasswordHasher:
    """OWASP's recommended parameters in production; cheap ones for the test suite only."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(**PRODUCTION_PARAMETERS)


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
