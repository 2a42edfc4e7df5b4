"""Credentials never leave the process: every text that goes out (log lines, `Error:` lines and traces,
reports, recorded HTTP) passes through `redact`.

Two nets, so one missing never leaks a token: the values actually loaded as credentials (registered when
`Credentials` validates them, in every form they travel in: raw, stripped, as a basic-auth pair), and the
shapes a token takes on the wire or in the APIs' own formats (an Authorization value, Notion and
Atlassian token prefixes), for tokens this process never loaded.
"""

from __future__ import annotations

import base64
import re
import threading
from typing import Any

MASK = "[REDACTED]"
# Shorter values are not worth hiding and would blank out ordinary words.
MIN_SECRET = 6

_PATTERNS = [
    # An Authorization header value, in a header dump, a repr or a traceback.
    # (a run of 12+ token characters with a digit or '=' in it, so "Basic authentication" stays readable).
    re.compile(r"(?i)\b(bearer|basic)(\s+|%20)(?=[\w.~+/\-]*[0-9=])[\w.~+/=\-]{12,}"),
    # Notion integration tokens (secret_…, ntn_…) and Atlassian API tokens (ATATT…).
    re.compile(r"\b(?:secret|ntn)_[A-Za-z0-9]{16,}"),
    re.compile(r"\bATATT[A-Za-z0-9_\-=]{16,}"),
]

_lock = threading.Lock()
# Longest first: a secret inside another goes too. Replaced whole on each register, so reading needs no lock.
_secrets: tuple[str, ...] = ()


def register(value: str | None) -> None:
    """Hide `value` (and its trimmed form) in every output from now on."""
    if not value:
        return
    forms = {value, value.strip(), repr(value)[1:-1], repr(value.strip())[1:-1]}
    global _secrets
    with _lock:
        known = set(_secrets) | {form for form in forms if len(form) >= MIN_SECRET}
        _secrets = tuple(sorted(known, key=len, reverse=True))


def register_basic(user: str | None, token: str | None) -> None:
    """Hide the basic-auth value `user:token` travels as."""
    if user and token:
        register(base64.b64encode(f"{user}:{token}".encode()).decode())
        register(base64.b64encode(f"{user.strip()}:{token.strip()}".encode()).decode())


def secrets() -> tuple[str, ...]:
    return _secrets


def redact(text: str) -> str:
    for secret in secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}" if m.lastindex else MASK, text)
    return text


def redact_data(value: Any) -> Any:
    """`redact` applied to every string in a JSON-like structure (keys included), in place: the structure is
    the caller's own, made to go out (a report of thousands of entries is not held twice)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        for key in list(value):
            item = redact_data(value[key])
            clean = redact(key) if isinstance(key, str) else key
            if clean != key:
                del value[key]
            value[clean] = item
        return value
    if isinstance(value, list):
        value[:] = [redact_data(v) for v in value]
        return value
    if isinstance(value, tuple):
        return [redact_data(v) for v in value]
    return value


def has_unsafe_characters(value: str) -> bool:
    """Whitespace or control characters: a credential pasted with its newline, tab or a stray space."""
    return any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value)
