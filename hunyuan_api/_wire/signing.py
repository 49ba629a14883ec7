"""TC3-HMAC-SHA256 request signing (Tencent Cloud API 3.0), as pure functions and an httpx.Auth.

Keys travel as ``SecretStr`` down to the expression that feeds them to HMAC: no frame here binds
a plain key to a name, so a traceback printed with its locals (``capture_locals=True``, Sentry,
rich) shows ``SecretStr('**********')`` at most. Plain strings are accepted too (tests, and the
SDK cross-check), which is then the caller's choice.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Generator

import httpx
from pydantic import SecretBytes, SecretStr

from .._connection import Credentials

__all__ = [
    "ALGORITHM",
    "BearerAuth",
    "TC3Auth",
    "authorization_header",
    "canonical_request",
    "signature",
    "signing_key",
    "string_to_sign",
    "utc_date",
]

ALGORITHM = "TC3-HMAC-SHA256"
SIGNED_HEADERS = "content-type;host"


def utc_date(timestamp: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))


def canonical_request(
    *,
    host: str,
    body: bytes,
    content_type: str = "application/json",
    method: str = "POST",
    path: str = "/",
    query: str = "",
) -> str:
    return (
        f"{method}\n{path}\n{query}\ncontent-type:{content_type}\nhost:{host}\n\n"
        f"{SIGNED_HEADERS}\n{hashlib.sha256(body).hexdigest()}"
    )


def string_to_sign(*, timestamp: int, service: str, canonical: str, date: str | None = None) -> str:
    """``date``: the UTC date of ``timestamp`` when the caller has it already."""
    scope = f"{date or utc_date(timestamp)}/{service}/tc3_request"
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{digest}"


Key = SecretStr | str


def _plain(key: Key) -> str:
    return key.get_secret_value() if isinstance(key, SecretStr) else key


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(*, secret_key: Key, date: str, service: str) -> SecretBytes:
    """The day's key derived from ``secret_key`` (kDate, kService, kSigning): it signs only
    that date's requests to that service, so a signer may keep it for the day, as Tencent's
    SDKs do, and save three of the four HMACs per request. It signs like the secret key for
    that day, so it is kept as ``SecretBytes`` like the key itself."""
    # The key is unwrapped inside the call that consumes it, never bound to a local.
    return SecretBytes(
        _hmac(
            _hmac(
                hmac.new(
                    ("TC3" + _plain(secret_key)).encode("utf-8"),
                    date.encode("utf-8"),
                    hashlib.sha256,
                ).digest(),
                service,
            ),
            "tc3_request",
        )
    )


def signature(*, secret_key: Key, date: str, service: str, to_sign: str) -> str:
    key = signing_key(secret_key=secret_key, date=date, service=service)
    return hmac.new(key.get_secret_value(), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(
    *,
    secret_id: Key,
    secret_key: Key,
    host: str,
    body: bytes,
    timestamp: int,
    service: str = "hunyuan",
    content_type: str = "application/json",
) -> str:
    date = utc_date(timestamp)
    key = signing_key(secret_key=secret_key, date=date, service=service)
    return _authorization(
        secret_id,
        key,
        host=host,
        body=body,
        timestamp=timestamp,
        date=date,
        service=service,
        content_type=content_type,
    )


def _authorization(
    secret_id: Key,
    key: SecretBytes,
    *,
    host: str,
    body: bytes,
    timestamp: int,
    date: str,
    service: str,
    content_type: str,
) -> str:
    """The header, given the day's ``signing_key`` for ``date`` (the UTC date of ``timestamp``)."""
    canonical = canonical_request(host=host, body=body, content_type=content_type)
    to_sign = string_to_sign(timestamp=timestamp, service=service, canonical=canonical, date=date)
    sig = hmac.new(key.get_secret_value(), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={_plain(secret_id)}/{date}/{service}/tc3_request, "
        f"SignedHeaders={SIGNED_HEADERS}, Signature={sig}"
    )


class TC3Auth(httpx.Auth):
    """Signs each request at send time, so a retried request carries a fresh timestamp."""

    requires_request_body = True

    def __init__(
        self,
        credentials: Credentials,
        *,
        service: str = "hunyuan",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credentials = credentials
        self._service = service
        self._clock = clock
        # The UTC day (timestamp // 86400), its date and its signing key, once a request of that
        # day was signed: derived once a day instead of once a request.
        self._day: tuple[int, str, SecretBytes] | None = None

    def __repr__(self) -> str:
        return f"TC3Auth(service={self._service!r})"

    def _date_and_key(self, timestamp: int) -> tuple[str, SecretBytes]:
        day = self._day
        if day is None or day[0] != timestamp // 86400:
            date = utc_date(timestamp)
            key = signing_key(
                secret_key=self._credentials.secret_key, date=date, service=self._service
            )
            day = self._day = (timestamp // 86400, date, key)
        return day[1], day[2]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = int(self._clock())
        headers = request.headers
        headers["X-TC-Timestamp"] = str(timestamp)
        if self._credentials.token is not None:
            headers["X-TC-Token"] = self._credentials.token.get_secret_value()
        date, key = self._date_and_key(timestamp)
        headers["Authorization"] = _authorization(
            self._credentials.secret_id,
            key,
            host=headers["Host"],
            body=request.content,
            timestamp=timestamp,
            date=date,
            service=self._service,
            content_type=headers.get("Content-Type", "application/json"),
        )
        yield request


class BearerAuth(httpx.Auth):
    """The OpenAI-compatible endpoint's ``Authorization: Bearer <key>``, written only at send
    time: until then the key stays a ``SecretStr``."""

    def __init__(self, api_key: SecretStr) -> None:
        self._api_key = api_key

    def __repr__(self) -> str:
        return "BearerAuth(api_key='**********')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        yield request
