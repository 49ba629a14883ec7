"""Where requests go and what signs them, resolved from settings (the environment is read by
``HunyuanSettings``; nothing here reads it)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from ._errors import ConfigurationError

__all__ = [
    "API_KEY_HELP",
    "CREDENTIALS_HELP",
    "DEFAULT_BASE_URL",
    "DEFAULT_OPENAI_BASE_URL",
    "DEFAULT_TIMEOUT",
    "Credentials",
    "Endpoint",
    "default_base_url",
    "resolve_api_key",
    "resolve_credentials",
    "resolve_endpoint",
    "resolve_timeout",
]

#: Tencent Cloud API 3.0 (RunThread, ChatCompletions, GetEmbedding, ...).
DEFAULT_BASE_URL = "https://hunyuan.tencentcloudapi.com"
#: Hunyuan's OpenAI-compatible endpoint, opened by the console API KEY.
DEFAULT_OPENAI_BASE_URL = "https://api.hunyuan.cloud.tencent.com/v1"
DEFAULT_TIMEOUT = 60.0

CREDENTIALS_HELP = (
    "pass secret_id= and secret_key=, or set HUNYUAN_SECRET_ID and HUNYUAN_SECRET_KEY "
    "(TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY also work). RunThread signs requests with a "
    "Tencent Cloud SecretId/SecretKey pair from the access-key console "
    "(https://console.cloud.tencent.com/cam/capi)."
)

API_KEY_HELP = (
    "This looks like a Hunyuan console 'API KEY' (sk-...). That key is for Hunyuan's "
    "OpenAI-compatible endpoint (https://api.hunyuan.cloud.tencent.com/v1): pass api='openai' "
    "(or leave api unset with no SecretId/SecretKey pair) to use it there. It cannot sign "
    "RunThread or ChatCompletions requests, which use TC3-HMAC-SHA256 with a Tencent Cloud "
    "SecretId/SecretKey pair from https://console.cloud.tencent.com/cam/capi. "
)

API_KEY_MISSING = (
    "api='openai' calls Hunyuan's OpenAI-compatible endpoint, which takes a console API KEY "
    "(sk-...): pass api_key= or set HUNYUAN_API_KEY. Create one in the Tencent Cloud console "
    "(混元大模型 → API KEY 管理 → 创建 API KEY, "
    "https://console.cloud.tencent.com/hunyuan/api-key); "
    "TokenHub keys work with base_url='https://tokenhub.tencentmaas.com/v1'. "
)


@dataclass(frozen=True)
class Credentials:
    secret_id: SecretStr
    secret_key: SecretStr
    token: SecretStr | None = None

    def __repr__(self) -> str:
        return "Credentials(secret_id='**********', secret_key='**********')"


def _given(value: SecretStr | None) -> bool:
    return value is not None and bool(value.get_secret_value())


def _console_key(value: SecretStr | None) -> bool:
    return value is not None and value.get_secret_value().startswith("sk-")


def resolve_credentials(
    secret_id: SecretStr | None,
    secret_key: SecretStr | None,
    token: SecretStr | None = None,
    *,
    api_key: SecretStr | None = None,
) -> Credentials:
    """The signing pair, or a ConfigurationError that says how to supply it (and, for a console
    API KEY, why it cannot sign). Only booleans about the secrets are bound to names here, so a
    traceback shown with its locals cannot show a secret."""
    has_id, has_key = _given(secret_id), _given(secret_key)
    if (
        _console_key(secret_id)
        or _console_key(secret_key)
        or (_given(api_key) and not (has_id and has_key))
    ):
        raise ConfigurationError(API_KEY_HELP + "To fix it: " + CREDENTIALS_HELP)
    if not (has_id and has_key):
        missing = [n for n, ok in (("secret_id", has_id), ("secret_key", has_key)) if not ok]
        raise ConfigurationError(
            f"Hunyuan credentials are missing: {' and '.join(missing)} not set. To fix it: "
            + CREDENTIALS_HELP
        )
    assert secret_id is not None
    assert secret_key is not None
    return Credentials(secret_id, secret_key, token if _given(token) else None)


def resolve_api_key(api_key: SecretStr | None, *, has_pair: bool) -> SecretStr:
    """The Bearer key of the OpenAI-compatible endpoint, or a ConfigurationError saying where
    to get one (and, for a SecretId/SecretKey pair, which API it does sign)."""
    if not _given(api_key):
        pair = (
            "A SecretId/SecretKey pair was given: it signs API 3.0 instead, so use "
            "api='run_thread' or api='chat_completions' with it."
            if has_pair
            else ""
        )
        raise ConfigurationError(API_KEY_MISSING + pair)
    assert api_key is not None
    return api_key


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


def _shown(url: httpx.URL) -> str:
    """The URL as an error may quote it: never with its password."""
    return str(url.copy_with(password="****")) if url.password else str(url)


def default_base_url(api: str) -> str:
    return DEFAULT_OPENAI_BASE_URL if api == "openai" else DEFAULT_BASE_URL


def resolve_endpoint(
    base_url: str | None, *, api: str = "run_thread", allow_insecure_http: bool = False
) -> Endpoint:
    """The endpoint of ``api`` (Tencent's public one when None).

    API 3.0 is served at '/', and ``url`` ends with it. The OpenAI-compatible endpoint keeps its
    path (``https://api.hunyuan.cloud.tencent.com/v1``; a URL without one gets ``/v1``, so one
    emulator address serves every API), and ``url`` has no trailing slash: requests go to
    ``{url}/chat/completions``. Plain http is refused for anything but loopback: the
    credentials and the prompts would cross the network unencrypted.
    """
    raw = base_url or default_base_url(api)
    try:
        url = httpx.URL(raw)
    except Exception as exc:
        # httpx's reason may quote a piece of the URL, which may be its password.
        detail = "" if "@" in raw else f": {exc}"
        url = None
    if url is None:
        # Raised outside the handler: no half-built httpx.URL in the traceback's context.
        raise ConfigurationError(f"base_url is not a valid URL{detail}")
    shown = _shown(url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"base_url {shown!r} must be an http(s) URL such as {default_base_url(api)}"
        )
    path = url.path.rstrip("/")
    if api != "openai" and path:
        hint = (
            " That path looks like Hunyuan's OpenAI-compatible endpoint: use api='openai' with "
            "a console API KEY there, or the root of "
            f"{DEFAULT_BASE_URL} for RunThread and ChatCompletions."
            if path.endswith("/v1")
            else ""
        )
        raise ConfigurationError(
            f"base_url {shown!r} has a path ({url.path!r}); Tencent Cloud API 3.0 is served at "
            "'/'." + hint
        )
    if url.scheme == "http" and not _is_loopback(url.host) and not allow_insecure_http:
        raise ConfigurationError(
            f"base_url {shown!r} uses plain http to a non-loopback host, which would send "
            "credentials unencrypted. Use https, or pass allow_insecure_http=True if you accept "
            "that."
        )
    default_port = 443 if url.scheme == "https" else 80
    host = url.host if url.port in (None, default_port) else f"{url.host}:{url.port}"
    if ":" in url.host and not url.host.startswith("["):  # IPv6 literal
        host = f"[{url.host}]" if url.port in (None, default_port) else f"[{url.host}]:{url.port}"
    if api == "openai":
        return Endpoint(url=f"{url.scheme}://{host}{path or '/v1'}", host=host)
    return Endpoint(url=f"{url.scheme}://{host}/", host=host)


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """A number bounds every phase, including the wait for the next byte of a stream."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout if timeout is not None else DEFAULT_TIMEOUT)
