"""Keep secrets out of messages and logs.

:func:`redact` masks OAuth tokens, client secrets, grant codes and ``Authorization`` headers in any
text; :class:`RedactingFilter` applies it to every log record that passes through a logger or a
handler it is attached to. :func:`get_logger` returns a module logger that already has it, so a
secret that slips into a log call is masked before any handler sees it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "[REDACTED]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Zoho-oauthtoken 1000.abc" / "'Authorization': 'Bearer x'" / Basic credentials
    (
        re.compile(r"(?i)(['\"]?authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}\r\n]+"),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)\b(zoho-oauthtoken|bearer|basic)\s+[^\s'\",}]+"), r"\1 " + MASK),
    # key=value (query strings, form bodies) and "key": "value" (JSON)
    (
        re.compile(
            r"(?i)\b(access_token|refresh_token|client_secret|token|password)"
            r"(['\"]?\s*[:=]\s*['\"]?)[^&'\"\s,}]+"
        ),
        r"\1\2" + MASK,
    ),
    # grant codes in query strings and form bodies (a JSON "code" is Zoho's error code: keep it)
    (re.compile(r"(?i)(?<![\w-])(code=)[^&'\"\s,}]+"), r"\1" + MASK),
    # Zoho token shape: 1000.<hex>.<hex>
    (re.compile(r"\b1000\.[0-9a-fA-F]{8,}\.[0-9a-fA-F]{8,}\b"), MASK),
)

_SECRET_KEYS = frozenset(
    {"access_token", "refresh_token", "client_secret", "token", "authorization", "password"}
)


def redact(text: str) -> str:
    """Return ``text`` with every recognisable secret replaced by ``[REDACTED]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    """Redact a JSON-like value: secret keys masked, strings scrubbed, containers walked."""
    if isinstance(value, dict):
        return {
            key: MASK if str(key).lower() in _SECRET_KEYS else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatted tracebacks are cached on the record; pre-format them redacted.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = RedactingFilter()


def get_logger(name: str) -> logging.Logger:
    """A logger that redacts every record created on it (logger filters do not propagate)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(_FILTER)
    return logger


def protect_handler(handler: logging.Handler) -> logging.Handler:
    """Attach the redacting filter to ``handler`` (covers records from third-party loggers)."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(_FILTER)
    return handler
