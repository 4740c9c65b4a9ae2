"""Fault injection: make the sandbox misbehave on purpose, reproducibly, for reliability tests.

A fault spec is a comma-separated list of ``name=value`` items::

    500=0.1,429=0.05,retry_after=2,slow=0.2:1500,expire_tokens=0.1,token_uses=3,
    fail_job=1,truncate_result=0.5,paths=/crm/bulk/,seed=7

HTTP faults (applied to authenticated API calls, i.e. every CRM, upload and download request, never
the OAuth endpoints):

- ``500=P``: with probability P answer ``500 INTERNAL_ERROR``.
- ``429=P``: with probability P answer ``429 TOO_MANY_REQUESTS`` with a ``Retry-After`` header.
- ``retry_after=S``: seconds in that header (default 1).
- ``slow=P:MS``: with probability P delay the response by MS milliseconds (default 1000).
- ``expire_tokens=P``: with probability P the presented access token expires right now, so the
  call gets ``401 INVALID_TOKEN`` and the client must refresh.
- ``token_uses=N``: every access token expires after N successful calls (deterministic).
- ``paths=REGEX``: apply HTTP faults only to paths matching REGEX (``re.search``).

Job faults (read by the bulk-write processor through :meth:`Faults.should`):

- ``fail_job=P``: with probability P a bulk job ends ``FAILED``.
- ``truncate_result=P``: with probability P the result zip is cut short (a corrupt download).

``seed=N`` seeds the random draws (default 0). Each fault kind draws from its own generator, so the
same seed and the same request sequence always give the same faults. Probabilities are 0..1; 1 means
always.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

HTTP_FAULTS = ("500", "429", "slow", "expire_tokens")
JOB_FAULTS = ("fail_job", "truncate_result")


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; the message names the bad item."""


@dataclass
class FaultSpec:
    """The parsed ``--faults`` spec; see the module docstring."""

    probabilities: dict[str, float] = field(default_factory=dict)
    slow_ms: int = 1000
    retry_after: int = 1
    token_uses: int | None = None
    paths: str | None = None
    seed: int = 0

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Parse ``500=0.1,429=0.05,slow=0.2:1500,...``; raise :class:`FaultSpecError`."""
        spec = cls()
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip().lower()
            if not sep:
                raise FaultSpecError(f"fault '{item}' needs a value, like {name}=0.5")
            try:
                if name in ("500", "429", "expire_tokens", "fail_job", "truncate_result"):
                    spec.probabilities[name] = _probability(value)
                elif name == "slow":
                    chance, _, millis = value.partition(":")
                    spec.probabilities["slow"] = _probability(chance)
                    if millis:
                        spec.slow_ms = int(millis)
                elif name == "retry_after":
                    spec.retry_after = int(value)
                elif name == "token_uses":
                    spec.token_uses = int(value)
                    if spec.token_uses < 1:
                        raise ValueError("must be at least 1")
                elif name == "paths":
                    re.compile(value)
                    spec.paths = value
                elif name == "seed":
                    spec.seed = int(value)
                else:
                    known = "500, 429, retry_after, slow, expire_tokens, token_uses, "
                    raise FaultSpecError(
                        f"unknown fault '{name}'; known: {known}fail_job, truncate_result, "
                        "paths, seed"
                    )
            except (ValueError, re.error) as exc:
                if isinstance(exc, FaultSpecError):
                    raise
                raise FaultSpecError(f"fault '{item}': {exc}") from None
        return spec


def _probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError("probability must be between 0 and 1")
    return value


class Faults:
    """Draws faults from a :class:`FaultSpec`; thread-safe and deterministic per seed."""

    def __init__(self, spec: FaultSpec | str | None = None) -> None:
        self.spec = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec)
        self._lock = threading.Lock()
        self._rngs: dict[str, random.Random] = {}
        self._paths = re.compile(self.spec.paths) if self.spec.paths else None

    @property
    def active(self) -> bool:
        """Whether any fault is configured."""
        return bool(self.spec.probabilities) or self.spec.token_uses is not None

    def should(self, name: str) -> bool:
        """Draw once: whether fault ``name`` happens now (``fail_job``, ``truncate_result``...)."""
        chance = self.spec.probabilities.get(name, 0.0)
        if chance <= 0:
            return False
        if chance >= 1:
            return True
        with self._lock:
            rng = self._rngs.get(name)
            if rng is None:
                rng = self._rngs[name] = random.Random(f"{self.spec.seed}:{name}")
            return rng.random() < chance

    def applies_to(self, path: str) -> bool:
        """Whether HTTP faults apply to this path (the ``paths=`` filter)."""
        return self._paths is None or self._paths.search(path) is not None
