"""API credits: Zoho's daily allowance, on a rolling 24-hour window (zoho-api.md §6.3).

A bulk-write job costs 500 credits, every other API call 1. When a call would go past the daily
allowance the sandbox answers ``429 TOO_MANY_REQUESTS``. Charges persist in SQLite, so a restart
does not refill the allowance.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bulkwizard.sandbox.db import Database
from bulkwizard.sandbox.http import ApiError

JOB_CREDITS = 500
WINDOW_SECONDS = 24 * 3600
# Zoho's Enterprise allowance for a small org: 50,000 + 10 users x 1,000.
DEFAULT_DAILY_CREDITS = 60_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS credit_charges (at REAL NOT NULL, amount INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS credit_charges_at ON credit_charges (at);
"""


class CreditsExhausted(ApiError):
    """The daily allowance is used up: 429 ``TOO_MANY_REQUESTS``."""

    def __init__(self, remaining: int, retry_after: int) -> None:
        super().__init__(
            429,
            "TOO_MANY_REQUESTS",
            "The API credits for the day have been exhausted.",
            {"remaining_credits": remaining},
            {"Retry-After": str(retry_after)},
        )


class Credits:
    """The org's API credit meter."""

    def __init__(
        self,
        db: Database,
        daily_allowance: int = DEFAULT_DAILY_CREDITS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.daily_allowance = daily_allowance
        self._clock = clock
        db.executescript(SCHEMA)

    def used(self) -> int:
        """Credits used in the last 24 hours."""
        since = self._clock() - WINDOW_SECONDS
        row = self.db.query_one(
            "SELECT COALESCE(SUM(amount), 0) AS used FROM credit_charges WHERE at > ?", (since,)
        )
        return int(row["used"]) if row else 0

    def remaining(self) -> int:
        """Credits left in the rolling window."""
        return max(self.daily_allowance - self.used(), 0)

    def charge(self, amount: int = 1) -> None:
        """Use ``amount`` credits, or raise :class:`CreditsExhausted` (nothing is charged then)."""
        if amount <= 0:
            return
        refusal: CreditsExhausted | None = None
        with self.db.transaction():
            now = self._clock()
            used = self.used()
            if used + amount > self.daily_allowance:
                oldest = self.db.query_one(
                    "SELECT MIN(at) AS at FROM credit_charges WHERE at > ?",
                    (now - WINDOW_SECONDS,),
                )
                frees_at = (oldest["at"] if oldest and oldest["at"] else now) + WINDOW_SECONDS
                refusal = CreditsExhausted(self.daily_allowance - used, max(int(frees_at - now), 1))
            else:
                self.db.execute(
                    "INSERT INTO credit_charges (at, amount) VALUES (?, ?)", (now, amount)
                )
                # Keep the table small: rows older than the window no longer count.
                self.db.execute("DELETE FROM credit_charges WHERE at <= ?", (now - WINDOW_SECONDS,))
        # Raised outside the transaction so a refusal does not count as a rollback.
        if refusal is not None:
            raise refusal
