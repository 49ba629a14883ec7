"""Credentials and endpoint resolution."""

from __future__ import annotations

import pytest

from hunyuan_api import (
    ConfigurationError,
    HunyuanClient,
    HunyuanSettings,
)
from hunyuan_api._connection import Credentials, Endpoint, resolve_endpoint, resolve_timeout
from hunyuan_api._connection import resolve_credentials as resolve_pair


def resolve_credentials(
    secret_id: str | None = None, secret_key: str | None = None, token: str | None = None
) -> Credentials:
    """The settings' environment rules, then the pair check a client makes."""
    given = {"secret_id": secret_id, "secret_key": secret_key, "session_token": token}
    settings = HunyuanSettings(**{k: v for k, v in given.items() if v is not None})
    return resolve_pair(
        settings.secret_id, settings.secret_key, settings.session_token, api_key=settings.api_key
    )


def resolve_region(region: str | None = None) -> str | None:
    return HunyuanSettings(**({"region": region} if region else {})).region


def endpoint(base_url: str | None = None) -> Endpoint:
    settings = HunyuanSettings(**({"base_url": base_url} if base_url else {}))
    return resolve_endpoint(settings.base_url)


def _ids(creds) -> tuple[str, str, str | None]:
    return (
        creds.secret_id.get_secret_value(),
        creds.secret_key.get_secret_value(),
        creds.token.get_secret_value() if creds.token else None,
    )


# -- credentials ---------------------------------------------------------------------------


def _set_both_env_families(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNYUAN_SECRET_ID", "env-hy-id")
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", "env-hy-key")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "env-tc-id")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "env-tc-key")
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "env-token")


def test_arguments_win_over_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_both_env_families(monkeypatch)
    assert _ids(resolve_credentials("arg-id", "arg-key")) == ("arg-id", "arg-key", None)
    assert _ids(resolve_credentials("arg-id", "arg-key", "arg-tok")) == (
        "arg-id",
        "arg-key",
        "arg-tok",
    )


def test_hunyuan_env_wins_over_tencentcloud_env(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_both_env_families(monkeypatch)
    # The TENCENTCLOUD session token belongs to the TENCENTCLOUD pair only.
    assert _ids(resolve_credentials()) == ("env-hy-id", "env-hy-key", None)


def test_tencentcloud_env_with_its_session_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "env-tc-id")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "env-tc-key")
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "env-token")
    assert _ids(resolve_credentials()) == ("env-tc-id", "env-tc-key", "env-token")


def test_a_missing_argument_is_taken_from_the_hunyuan_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", "env-hy-key")
    assert _ids(resolve_credentials(secret_id="arg-id")) == ("arg-id", "env-hy-key", None)


def test_session_token_ignored_without_the_tencentcloud_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "env-token")
    assert _ids(resolve_credentials("a", "b")) == ("a", "b", None)


def _refusal(monkeypatch: pytest.MonkeyPatch, kwargs: dict, env: dict) -> str:
    """The message of the ``ConfigurationError`` (a ``ValueError``) these credentials get."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        resolve_credentials(**kwargs)
    assert isinstance(info.value, ValueError)
    return str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "env", "missing"),
    [
        ({}, {}, ["secret_id", "secret_key"]),
        ({"secret_id": "only-id"}, {}, ["secret_key"]),
        ({}, {"HUNYUAN_SECRET_KEY": "only-key"}, ["secret_id"]),
        ({"secret_id": "", "secret_key": ""}, {}, ["secret_id", "secret_key"]),
    ],
)
def test_missing_credentials_message_names_both_ways(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict, env: dict, missing: list[str]
) -> None:
    message = _refusal(monkeypatch, kwargs, env)
    for name in missing:
        assert name in message
    for way in (
        "secret_id=",
        "secret_key=",
        "HUNYUAN_SECRET_ID",
        "HUNYUAN_SECRET_KEY",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
    ):
        assert way in message


def test_client_construction_raises_the_same_error() -> None:
    with pytest.raises(ConfigurationError, match="HUNYUAN_SECRET_ID"):
        HunyuanClient()


@pytest.mark.parametrize(
    ("kwargs", "env"),
    [
        ({"secret_id": "sk-abc123", "secret_key": "x"}, {}),
        ({"secret_id": "AKID", "secret_key": "sk-abc123"}, {}),
        ({}, {"HUNYUAN_SECRET_ID": "sk-abc123", "HUNYUAN_SECRET_KEY": "sk-abc123"}),
    ],
)
def test_api_key_explains_the_difference(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict, env: dict
) -> None:
    message = _refusal(monkeypatch, kwargs, env)
    assert "API KEY" in message
    assert "OpenAI-compatible" in message
    assert "SecretId" in message
    assert "SecretKey" in message
    assert "TC3-HMAC-SHA256" in message
    assert "sk-abc123" not in message  # the secret itself is never echoed


def test_api_key_in_env_without_secret_pair_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNYUAN_API_KEY", "sk-something")
    with pytest.raises(ConfigurationError) as info:
        resolve_credentials()
    assert "API KEY" in str(info.value)
    assert "HUNYUAN_SECRET_ID" in str(info.value)


# -- endpoint ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "url", "host"),
    [
        (None, "https://hunyuan.tencentcloudapi.com/", "hunyuan.tencentcloudapi.com"),
        (
            "https://hunyuan.tencentcloudapi.com",
            "https://hunyuan.tencentcloudapi.com/",
            "hunyuan.tencentcloudapi.com",
        ),
        (
            "https://hunyuan.tencentcloudapi.com/",
            "https://hunyuan.tencentcloudapi.com/",
            "hunyuan.tencentcloudapi.com",
        ),
        (
            "https://hunyuan.tencentcloudapi.com:443",
            "https://hunyuan.tencentcloudapi.com/",
            "hunyuan.tencentcloudapi.com",
        ),
        (
            "https://HUNYUAN.tencentcloudapi.com",
            "https://hunyuan.tencentcloudapi.com/",
            "hunyuan.tencentcloudapi.com",
        ),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/", "127.0.0.1:8765"),
        ("http://127.0.0.1:80", "http://127.0.0.1/", "127.0.0.1"),
        ("http://localhost:8765/", "http://localhost:8765/", "localhost:8765"),
        ("https://127.0.0.1:443", "https://127.0.0.1/", "127.0.0.1"),
        ("https://example.com:8443", "https://example.com:8443/", "example.com:8443"),
        ("http://[::1]:8765", "http://[::1]:8765/", "[::1]:8765"),
        ("http://[::1]", "http://[::1]/", "[::1]"),
    ],
)
def test_base_url_normalisation(base_url: str | None, url: str, host: str) -> None:
    endpoint = resolve_endpoint(base_url)
    assert (endpoint.url, endpoint.host) == (url, host)


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8765", "http://[::1]:9", "http://localhost"],
)
def test_loopback_http_is_allowed_and_flagged(base_url: str) -> None:
    assert resolve_endpoint(base_url).is_loopback


def test_base_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNYUAN_BASE_URL", "http://127.0.0.1:9000")
    assert endpoint().host == "127.0.0.1:9000"
    assert endpoint("http://127.0.0.1:9001").host == "127.0.0.1:9001"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://hunyuan.tencentcloudapi.com",
        "http://10.0.0.5:8080",
        "http://[2001:db8::1]",
        # Resolvers may send *.localhost to DNS (glibc does), which may answer anything.
        "http://api.localhost:1",
    ],
)
def test_plain_http_to_non_loopback_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http=True"):
        resolve_endpoint(base_url)
    endpoint = resolve_endpoint(base_url, allow_insecure_http=True)
    assert endpoint.url.startswith("http://")
    assert not endpoint.is_loopback


def test_http_via_env_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNYUAN_BASE_URL", "http://example.com")
    with pytest.raises(ConfigurationError, match="plain http"):
        HunyuanClient(secret_id="a", secret_key="b")


@pytest.mark.parametrize(
    "base_url",
    ["https://api.hunyuan.cloud.tencent.com/v1", "https://api.hunyuan.cloud.tencent.com/v1/"],
)
def test_openai_compatible_path_refused_with_hint(base_url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_endpoint(base_url)
    message = str(info.value)
    assert "OpenAI-compatible" in message
    assert "https://hunyuan.tencentcloudapi.com" in message


def test_other_paths_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="has a path"):
        resolve_endpoint("https://hunyuan.tencentcloudapi.com/api")


@pytest.mark.parametrize(
    "base_url", ["ftp://example.com", "hunyuan.tencentcloudapi.com", "https://"]
)
def test_non_http_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_endpoint(base_url)


def test_region_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_region() is None
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-beijing")
    assert resolve_region() == "ap-beijing"
    monkeypatch.setenv("HUNYUAN_REGION", "ap-guangzhou")
    assert resolve_region() == "ap-guangzhou"
    assert resolve_region("ap-shanghai") == "ap-shanghai"


def test_timeout_number_bounds_every_phase() -> None:
    timeout = resolve_timeout(5)
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (5, 5, 5, 5)
    assert resolve_timeout(None).read == 60.0


def test_max_retries_must_be_a_non_negative_int() -> None:
    for bad in (-1, True, 1.5):
        with pytest.raises(ValueError, match="max_retries"):
            HunyuanClient(secret_id="a", secret_key="b", max_retries=bad)  # type: ignore[arg-type]
