"""Credentials, endpoint and timeout resolution: arguments first, then the environment."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from ._errors import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "Credentials",
    "Endpoint",
    "resolve_credentials",
    "resolve_endpoint",
    "resolve_region",
    "resolve_timeout",
]

DEFAULT_BASE_URL = "https://hunyuan.tencentcloudapi.com"
DEFAULT_TIMEOUT = 60.0

CREDENTIALS_HELP = (
    "pass secret_id= and secret_key=, or set HUNYUAN_SECRET_ID and HUNYUAN_SECRET_KEY "
    "(TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY also work). RunThread signs requests with a "
    "Tencent Cloud SecretId/SecretKey pair from the access-key console "
    "(https://console.cloud.tencent.com/cam/capi)."
)

API_KEY_HELP = (
    "This looks like a Hunyuan console 'API KEY' (sk-...). That key is for Hunyuan's "
    "OpenAI-compatible endpoint (https://api.hunyuan.cloud.tencent.com/v1) and cannot sign "
    "RunThread requests, which use TC3-HMAC-SHA256 with a Tencent Cloud SecretId/SecretKey pair "
    "from https://console.cloud.tencent.com/cam/capi. "
)


@dataclass(frozen=True)
class Credentials:
    secret_id: SecretStr
    secret_key: SecretStr
    token: SecretStr | None = None

    def __repr__(self) -> str:
        return "Credentials(secret_id='**********', secret_key='**********')"


def _secret_value(value: str | SecretStr | None) -> str | None:
    if value is None:
        return None
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    return raw or None


def _first_env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def resolve_credentials(
    secret_id: str | SecretStr | None = None,
    secret_key: str | SecretStr | None = None,
    token: str | SecretStr | None = None,
) -> Credentials:
    """Arguments, then ``HUNYUAN_SECRET_*``, then ``TENCENTCLOUD_SECRET_*`` (+ session token)."""
    sid = _secret_value(secret_id)
    skey = _secret_value(secret_key)
    tok = _secret_value(token)
    from_tencentcloud_env = False
    if sid is None:
        sid = os.environ.get("HUNYUAN_SECRET_ID") or None
    if skey is None:
        skey = os.environ.get("HUNYUAN_SECRET_KEY") or None
    if sid is None and skey is None:
        sid = os.environ.get("TENCENTCLOUD_SECRET_ID") or None
        skey = os.environ.get("TENCENTCLOUD_SECRET_KEY") or None
        from_tencentcloud_env = True
    if tok is None and from_tencentcloud_env:
        tok = os.environ.get("TENCENTCLOUD_SESSION_TOKEN") or None

    for value in (sid, skey):
        if value is not None and value.startswith("sk-"):
            raise ConfigurationError(API_KEY_HELP + "To fix it: " + CREDENTIALS_HELP)
    if sid is None or skey is None:
        api_key = _first_env("HUNYUAN_API_KEY")
        prefix = (API_KEY_HELP if api_key else "") + "Hunyuan credentials are missing: "
        missing = [n for n, v in (("secret_id", sid), ("secret_key", skey)) if v is None]
        raise ConfigurationError(
            f"{prefix}{' and '.join(missing)} not set. To fix it: " + CREDENTIALS_HELP
        )
    return Credentials(
        secret_id=SecretStr(sid),
        secret_key=SecretStr(skey),
        token=SecretStr(tok) if tok else None,
    )


@dataclass(frozen=True)
class Endpoint:
    url: str
    """Normalised base URL, always ending in ``/`` (RunThread's path)."""
    host: str
    """The Host header exactly as sent and signed: port included when not the default."""

    @property
    def is_loopback(self) -> bool:
        return _is_loopback(httpx.URL(self.url).host)


def _is_loopback(host: str) -> bool:
    # Only names that cannot leave the machine: "localhost" (the hosts file) and loopback IPs.
    # "*.localhost" is not among them: many resolvers send it to DNS, which may answer anything.
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_endpoint(base_url: str | None = None, *, allow_insecure_http: bool = False) -> Endpoint:
    """Argument, then ``HUNYUAN_BASE_URL``, then Tencent's public endpoint.

    Plain http is refused for anything but loopback: the Authorization header and the prompts
    would cross the network unencrypted.
    """
    raw = base_url or os.environ.get("HUNYUAN_BASE_URL") or DEFAULT_BASE_URL
    try:
        url = httpx.URL(raw)
    except Exception as exc:
        raise ConfigurationError(f"base_url {raw!r} is not a valid URL: {exc}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"base_url {raw!r} must be an http(s) URL such as {DEFAULT_BASE_URL}"
        )
    if url.path not in ("", "/"):
        hint = (
            " That path looks like Hunyuan's OpenAI-compatible endpoint; RunThread is served at "
            f"the root of {DEFAULT_BASE_URL}."
            if url.path.rstrip("/").endswith("/v1")
            else ""
        )
        raise ConfigurationError(
            f"base_url {raw!r} has a path ({url.path!r}); Tencent Cloud API 3.0 is served at '/'."
            + hint
        )
    if url.scheme == "http" and not _is_loopback(url.host) and not allow_insecure_http:
        raise ConfigurationError(
            f"base_url {raw!r} uses plain http to a non-loopback host, which would send signed "
            "requests unencrypted. Use https, or pass allow_insecure_http=True if you accept that."
        )
    default_port = 443 if url.scheme == "https" else 80
    host = url.host if url.port in (None, default_port) else f"{url.host}:{url.port}"
    if ":" in url.host and not url.host.startswith("["):  # IPv6 literal
        host = f"[{url.host}]" if url.port in (None, default_port) else f"[{url.host}]:{url.port}"
    return Endpoint(url=f"{url.scheme}://{host}/", host=host)


def resolve_region(region: str | None = None) -> str | None:
    return region or _first_env("HUNYUAN_REGION", "TENCENTCLOUD_REGION")


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """A number bounds every phase, including the wait for the next byte of a stream."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout if timeout is not None else DEFAULT_TIMEOUT)
