"""Concurrency: the account's limit, reserved concurrency, and who gets throttled and why.

Lambda counts concurrency as invocations in flight. Reserved concurrency is both a cap for
its function and a guarantee carved out of the account's pool; the other functions share
what is left (LAMBDA_FACTS A6, A7).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from workbench.core.model import MAX_CONCURRENCY, ConfigError, FunctionConfig

RESERVED_LIMIT = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT = "ConcurrentInvocationLimitExceeded"
AWS_UNRESERVED_MINIMUM = 100  # AWS keeps at least 100 unreserved
ENVIRONMENT_BUDGET_MB = 128  # the smallest function: how many of those the machine can hold


@dataclass(frozen=True)
class AccountLimit:
    """The account's concurrent-execution limit, and where the number came from."""

    limit: int
    origin: str

    @property
    def unreserved_minimum(self) -> int:
        """What reservations must leave for everyone else: AWS's 100, scaled to small limits."""
        return min(AWS_UNRESERVED_MINIMUM, max(1, self.limit // 10))


def machine_account_limit(total_memory_mb: int | None = None) -> AccountLimit:
    """AWS's default of 1,000, lowered to what this machine's memory can hold."""
    if total_memory_mb is None:
        try:
            total_memory_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
        except (ValueError, OSError):
            total_memory_mb = 8 * 1024
    by_memory = max(10, total_memory_mb // ENVIRONMENT_BUDGET_MB)
    if by_memory >= MAX_CONCURRENCY:
        return AccountLimit(MAX_CONCURRENCY, "AWS's default account limit")
    gib = total_memory_mb / 1024
    return AccountLimit(
        by_memory,
        f"this machine's {gib:.0f} GiB of memory ({ENVIRONMENT_BUDGET_MB} MB per environment); "
        "AWS's default is 1,000",
    )


@dataclass(frozen=True)
class Throttle:
    """Why an invocation was refused: AWS's Reason and a sentence for a person."""

    reason: str
    message: str


class ConcurrencyGate:
    """Admits invocations while the function's reservation or the shared pool has room."""

    def __init__(self, account: AccountLimit) -> None:
        self.account = account
        self._reserved: dict[str, int] = {}
        self._in_flight: Counter[str] = Counter()

    def in_flight(self, name: str | None = None) -> int:
        return self._in_flight[name] if name else sum(self._in_flight.values())

    @property
    def unreserved_pool(self) -> int:
        return self.account.limit - sum(self._reserved.values())

    def configure(self, config: FunctionConfig) -> None:
        """Record a function's reservation; refuse one that leaves too little unreserved."""
        others = sum(r for name, r in self._reserved.items() if name != config.name)
        wanted = config.reserved_concurrency
        if wanted is not None:
            room = self.account.limit - self.account.unreserved_minimum - others
            if wanted > room:
                raise ConfigError(
                    "reserved concurrency",
                    f"{wanted} would leave fewer than {self.account.unreserved_minimum} of the "
                    f"account's {self.account.limit} unreserved; at most {max(room, 0)} is "
                    f"available ({self.account.origin})",
                )
            self._reserved[config.name] = wanted
        else:
            self._reserved.pop(config.name, None)

    def try_admit(self, name: str) -> Throttle | None:
        """Count one more invocation in flight, or say why it must be throttled."""
        reserved = self._reserved.get(name)
        if reserved is not None:
            if self._in_flight[name] >= reserved:
                what = (
                    "is disabled (reserved concurrency 0)"
                    if reserved == 0
                    else (
                        f"already has {reserved} invocation(s) in flight, its reserved concurrency"
                    )
                )
                return Throttle(RESERVED_LIMIT, f"Rate Exceeded. The function {what}.")
        else:
            unreserved_in_flight = sum(
                count for fn, count in self._in_flight.items() if fn not in self._reserved
            )
            if unreserved_in_flight >= self.unreserved_pool:
                return Throttle(
                    ACCOUNT_LIMIT,
                    f"Rate Exceeded. {unreserved_in_flight} invocation(s) already use the "
                    f"unreserved concurrency ({self.unreserved_pool} of an account limit of "
                    f"{self.account.limit}, set from {self.account.origin}).",
                )
        self._in_flight[name] += 1
        return None

    def release(self, name: str) -> None:
        self._in_flight[name] -= 1
        if self._in_flight[name] <= 0:
            del self._in_flight[name]
