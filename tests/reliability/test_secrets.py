"""Secrets and transport security.

- Distinctive SecretId/SecretKey/session-token values never appear in: the repr/str of models
  and clients; LangChain's ``dumps``/``dumpd``; LlamaIndex's ``to_dict``/``to_json``; log
  records of every logger at DEBUG (httpx and httpcore included); the str, repr, args, pickle
  and formatted traceback (with its chained causes) of every error a call can end in; the
  ValidationError of a model built with a bad setting.
- TLS verification is on by default (CERT_REQUIRED, hostname checked), and a server with an
  untrusted certificate is refused before any request reaches it.
- Plain http goes only to loopback unless ``allow_insecure_http=True``.
- The emulator, like the service, rejects stale timestamps (so a captured request can be
  replayed only within the 300 s window) and wrong signatures, end to end through both
  adapters. tests/emulator/test_auth.py checks the same rules on the raw wire.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import pickle
import shutil
import socket
import ssl
import subprocess
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core import exceptions as lc_exceptions
from langchain_core.load import dumpd, dumps

from hunyuan_api import (
    APIConnectionError,
    AsyncHunyuanClient,
    AuthenticationError,
    ConfigurationError,
    HunyuanClient,
    HunyuanError,
    default_ledger,
)
from hunyuan_api._wire.signing import TC3Auth
from hunyuan_emulator import EmulatorHandle, Fault, run_emulator
from langchain_hunyuan import ChatHunyuan, HunyuanLLM
from llama_index_hunyuan import Hunyuan
from tests.support.reliability import (
    ADAPTERS,
    CALLS,
    MODES,
    PROMPT,
    Adapter,
    Call,
    Mode,
    assert_error_class,
    drive,
    fresh,
    make_model,
)

SECRET_ID = "AKIDrelQ7w9e2r4t6y8u0i1o3p5aZsXdCf"
SECRET_KEY = "relKey-Vx3Kq9Lm2Np8Rt6Zw4Jb7Hy5"
TOKEN = "relToken-Hc5Jd7Fg1Sb3Nm9Kw2"
API_KEY = "sk-relApiKey-Pq8Ws4Ex6Rc2Tv0"
#: A second pair: wrong or unknown credentials must not leak either.
WRONG_KEY = "relWrongKey-Gb1Hn3Jm5Kl7Zx9"
UNKNOWN_ID = "AKIDrelUnknown-Mn4Bv6Cx8Za2Sd"
SECRETS = (SECRET_ID, SECRET_KEY, TOKEN, API_KEY, WRONG_KEY, UNKNOWN_ID)
# Any 8 characters in a row of a secret count: a truncated repr must not show its tail either.
_FRAGMENTS = {s[i : i + 8] for s in SECRETS for i in range(len(s) - 7)}


def assert_clean(text: str | bytes, where: str) -> None:
    haystack = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    leaked = sorted(f for f in _FRAGMENTS if f in haystack)
    assert not leaked, f"{where} shows secret material: {leaked}"


@pytest.fixture(scope="module")
def secured() -> Iterator[EmulatorHandle]:
    """An emulator that accepts exactly SECRET_ID/SECRET_KEY with TOKEN (temporary credentials)."""
    with run_emulator(secret_id=SECRET_ID, secret_key=SECRET_KEY, token=TOKEN) as handle:
        yield handle


@pytest.fixture
def sec_emu(secured: EmulatorHandle) -> EmulatorHandle:
    return fresh(secured)


def _model(adapter: Adapter, emu: EmulatorHandle, **overrides: Any) -> Any:
    return make_model(adapter, emu, session_token=TOKEN, **overrides)


# --------------------------------------------------------------------------- representations


def test_models_and_clients_never_show_secrets(sec_emu: EmulatorHandle) -> None:
    chat = _model("langchain", sec_emu, api_key=API_KEY)
    completion = HunyuanLLM(
        base_url=sec_emu.base_url,
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        session_token=TOKEN,
    )
    llm = _model("llamaindex", sec_emu)
    texts = {
        "ChatHunyuan repr": repr(chat),
        "ChatHunyuan str": str(chat),
        "ChatHunyuan dumps": dumps(chat),
        "ChatHunyuan dumpd": json.dumps(dumpd(chat)),
        "ChatHunyuan model_dump_json": chat.model_dump_json(),
        "ChatHunyuan identifying params": repr(chat._identifying_params),
        "ChatHunyuan ls params": repr(chat._get_ls_params()),
        "HunyuanLLM repr": repr(completion),
        "HunyuanLLM dumps": dumps(completion),
        "Hunyuan repr": repr(llm),
        "Hunyuan str": str(llm),
        "Hunyuan to_dict": json.dumps(llm.to_dict()),
        "Hunyuan to_json": llm.to_json(),
        "Hunyuan model_dump_json": llm.model_dump_json(),
        "Hunyuan metadata": repr(llm.metadata),
    }
    clients = [chat._client, chat._async_client, llm._get_client(), llm._get_aclient()]
    for client in clients:
        texts[f"{type(client).__name__} repr"] = repr(client)
        texts[f"{type(client).__name__} credentials"] = repr(client.credentials)
        texts[f"{type(client).__name__} auth"] = repr(client._auth)
        texts[f"{type(client).__name__} ledger scope"] = repr(client.flows.scope)
    for where, text in texts.items():
        assert_clean(text, where)
    # The secrets are there, only never shown.
    assert chat._client.credentials.secret_key.get_secret_value() == SECRET_KEY


@pytest.mark.parametrize(
    "build",
    [
        lambda: ChatHunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, temperature=5),
        lambda: ChatHunyuan(
            hunyuan_secret_id=SECRET_ID, hunyuan_secret_key=SECRET_KEY, session_token=TOKEN, seed=3
        ),
        lambda: ChatHunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, max_retries=-1),
        lambda: HunyuanLLM(secret_id=SECRET_ID, secret_key=SECRET_KEY, api_key=API_KEY, top_p=7),
        lambda: Hunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, session_token=TOKEN, seed=3),
        lambda: Hunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, temperature=9),
    ],
    ids=[
        "lc-temperature",
        "lc-seed-aliases",
        "lc-max-retries",
        "lc-llm-top-p",
        "li-seed",
        "li-temp",
    ],
)
def test_settings_errors_never_show_secrets(build: Any) -> None:
    with pytest.raises(ValueError) as caught:
        build()
    error = caught.value
    assert_clean(str(error), "the error's str")
    assert_clean(repr(error), "the error's repr")
    errors = getattr(error, "errors", None)
    if callable(errors):
        assert_clean(repr(errors()), "the ValidationError's errors()")


# --------------------------------------------------------------------------- logs


async def test_debug_logs_never_show_secrets(
    sec_emu: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "hunyuan_api", "langchain_core", "llama_index", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    for adapter in ADAPTERS:
        model = _model(adapter, sec_emu)
        for mode in MODES:
            for call in CALLS:
                out = await drive(adapter, mode, call, model, PROMPT)
                assert out.error is None, repr(out.error)
        # A retried failure (INFO "retrying after ...") and a final one.
        sec_emu.state.add_fault(Fault.error("InternalError"))
        assert (await drive(adapter, "sync", "invoke", model, PROMPT)).error is None
        sec_emu.state.add_fault(Fault.drop(2))
        assert (await drive(adapter, "async", "stream", model, PROMPT)).error is not None
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore", "hunyuan_api"} <= loggers, loggers
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    for record in caplog.records:
        assert_clean(record.getMessage(), f"log record of {record.name}")
        assert_clean(repr(record.args), f"log record args of {record.name}")
    assert_clean(caplog.text, "the formatted log")


# --------------------------------------------------------------------------- errors


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


FAULTS: dict[str, tuple[Fault, int]] = {
    "server": (Fault.error("InternalError"), 3),
    "rate-limit": (Fault.error("LimitExceeded"), 3),
    "http-503": (Fault.http_status(503), 3),
    "auth": (Fault.error("AuthFailure.SignatureFailure"), 1),
    "bad-request": (Fault.error("InvalidParameterValue.Model"), 1),
    "not-found": (Fault.error("ResourceNotFound"), 1),
    "account": (Fault.error("FailedOperation.ServiceNotActivated"), 1),
    "content": (Fault.error("OperationDenied.TextIllegalDetected"), 1),
    "unknown-code": (Fault.error("FailedOperation.SomethingNew"), 1),
    "frame-run-failed": (Fault.error_frame("InternalError", "run_failed", 2), 1),
    "frame-error": (Fault.error_frame("InternalError", "error", 2), 1),
    "frame-error-msg": (Fault.error_frame("InternalError", "error_msg", 2), 1),
    "drop": (Fault.drop(2), 1),
    "truncate": (Fault.truncate(2), 1),
    "malformed": (Fault.malformed(2), 1),
    "timeout": (Fault.slow_first_byte(0.5), 3),
}


def _check_error(error: BaseException | None) -> None:
    assert isinstance(error, HunyuanError), repr(error)
    assert_clean(str(error), "str(error)")
    assert_clean(repr(error), "repr(error)")
    assert_clean(repr(error.args), "error.args")
    assert_clean(repr(error.partial), "error.partial")
    assert_clean("".join(traceback.format_exception(error)), "the formatted traceback")
    cause: BaseException | None = error
    while cause is not None:  # every chained cause, as a logger would print it
        assert_clean(f"{cause!s} {cause!r}", f"chained {type(cause).__name__}")
        cause = cause.__cause__ or cause.__context__
    raw = pickle.dumps(error)
    assert_clean(raw, "the pickled error")
    copy = pickle.loads(raw)
    assert type(copy) is type(error)
    assert (copy.code, copy.request_id, copy.partial_text) == (
        error.code,
        error.request_id,
        error.partial_text,
    )


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_errors_never_show_secrets(
    sec_emu: EmulatorHandle, adapter: Adapter, fault: str
) -> None:
    spec, count = FAULTS[fault]
    model = _model(adapter, sec_emu, timeout=0.2)
    runs: tuple[tuple[Mode, Call], ...] = (("sync", "invoke"), ("async", "stream"))
    for mode, call in runs:
        sec_emu.state.add_fault(spec, action="RunThread", count=count)
        out = await drive(adapter, mode, call, model, PROMPT)
        _check_error(out.error)


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_credential_and_connection_errors_never_show_secrets(
    sec_emu: EmulatorHandle, adapter: Adapter
) -> None:
    cases = {
        "wrong key": _model(adapter, sec_emu, secret_key=WRONG_KEY),
        "unknown id": _model(adapter, sec_emu, secret_id=UNKNOWN_ID),
        "no token": make_model(adapter, sec_emu),
        "refused": _model(adapter, sec_emu, base_url=f"http://127.0.0.1:{_closed_port()}/"),
    }
    for name, model in cases.items():
        for mode in MODES:
            out = await drive(adapter, mode, "invoke", model, PROMPT)
            _check_error(out.error)
            if name == "refused":
                assert isinstance(out.error, APIConnectionError)
            else:
                assert isinstance(out.error, AuthenticationError), (name, out.error)


def _with_locals(error: BaseException) -> str:
    """The traceback as Sentry, rich or ``traceback`` with ``capture_locals`` print it: every
    frame's locals, by their repr (which must not crash either)."""
    return "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())


@pytest.mark.parametrize(
    "build",
    [
        lambda: HunyuanClient(secret_id=SECRET_ID),  # half-built: no key
        lambda: AsyncHunyuanClient(secret_key=SECRET_KEY, session_token=TOKEN),
        lambda: HunyuanClient(secret_id=API_KEY, secret_key=SECRET_KEY),  # a console key
        # An API key cannot sign RunThread: refused, quoting neither the key nor the SecretKey.
        lambda: HunyuanClient(api="run_thread", api_key=API_KEY, secret_key=SECRET_KEY),
        lambda: HunyuanClient(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url="ftp://x/"),
    ],
    ids=["no-key", "no-id", "console-key-as-id", "api-key", "bad-url"],
)
def test_tracebacks_with_locals_of_half_built_clients_never_show_secrets(build: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        build()
    assert_clean(_with_locals(caught.value), "the traceback with locals")


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_tracebacks_with_locals_of_failed_calls_never_show_secrets(
    sec_emu: EmulatorHandle, adapter: Adapter
) -> None:
    refused = _model(adapter, sec_emu, base_url=f"http://127.0.0.1:{_closed_port()}/")
    for model in (refused, _model(adapter, sec_emu, secret_key=WRONG_KEY)):
        for mode in MODES:
            out = await drive(adapter, mode, "invoke", model, PROMPT)
            assert isinstance(out.error, HunyuanError), out.error
            assert_clean(_with_locals(out.error), "the traceback with locals")


def test_a_failure_inside_signing_shows_no_key_in_its_locals(
    sec_emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever fails while a request is signed (here the hash of the canonical request), the
    signing frames on the traceback hold the key as ``SecretStr`` only."""
    from hunyuan_api._wire import signing

    def broken(**_: Any) -> str:
        raise RuntimeError("the signer failed")

    monkeypatch.setattr(signing, "string_to_sign", broken)
    with pytest.raises(RuntimeError) as caught:
        HunyuanClient(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url=sec_emu.base_url).call(
            "CreateThread", {}
        )
    # From the client's call down (the test's own frame holds the emulator, which knows the key).
    error = caught.value
    text = "".join(
        traceback.TracebackException(
            type(error), error, error.__traceback__.tb_next, capture_locals=True
        ).format()
    )
    # The frames were captured: the signer's, which hold the SecretId and the day's signing
    # key derived from the SecretKey (itself a secret for that day), both masked.
    assert "secret_id = SecretStr('**********')" in text
    assert "key = SecretBytes(b'**********')" in text
    assert_clean(text, "the traceback with locals")


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh", "after-a-call"])
@pytest.mark.parametrize("kind", ["ChatHunyuan", "HunyuanLLM", "Hunyuan"])
async def test_copies_and_pickles_of_models_never_carry_secrets(
    sec_emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, kind: str, fresh: bool
) -> None:
    import copy

    settings = {"base_url": sec_emu.base_url, "session_token": TOKEN, "api_key": API_KEY}
    pair = {"secret_id": SECRET_ID, "secret_key": SECRET_KEY}
    cls = {"ChatHunyuan": ChatHunyuan, "HunyuanLLM": HunyuanLLM, "Hunyuan": Hunyuan}[kind]
    model = cls(**settings, **pair)

    async def works(m: Any) -> None:
        if kind == "Hunyuan":
            assert (await m.acomplete(PROMPT)).text
            assert m.complete(PROMPT).text
        else:
            assert await m.ainvoke(PROMPT)
            assert m.invoke(PROMPT)

    if not fresh:
        await works(model)
        # The client caches are keyed by a digest of the settings, secrets hashed.
        for key in model._clients:
            assert_clean(repr(key), "a client-cache key")
    raw = pickle.dumps(model)
    assert_clean(raw, f"the pickle of a {'fresh' if fresh else 'used'} {kind}")
    # An unpickled model reads its secrets from the environment again.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", SECRET_ID)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    restored = pickle.loads(raw)
    assert list(restored._clients) == []
    for duplicate in (restored, copy.deepcopy(model), model.model_copy(), copy.copy(model)):
        assert_clean(repr(duplicate), "a copy's repr")
        await works(duplicate)
    assert list(copy.deepcopy(model)._clients) == []  # a deep copy builds its own clients


@pytest.mark.parametrize(
    "url",
    [
        "http://alice:hunter2-Pw9xQ@example.com/",  # plain http to another host
        "https://alice:hunter2-Pw9xQ@hunyuan.tencentcloudapi.com/v1",  # a path
        "ftp://alice:hunter2-Pw9xQ@example.com/",  # a scheme
        "https://alice:hunter2-Pw9xQ@example.com:port/",  # not a URL
        "https://alice:hunter2-Pw9xQ@exa\x00mple.com/",  # not a URL either
        "https://alice:hunter2-Pw9xQ/@example.com/",  # the password read as a port
    ],
)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_refused_base_url_never_echoes_its_password(adapter: Adapter, url: str) -> None:
    model = make_model(adapter, _Nowhere(url))
    call = model.invoke if adapter == "langchain" else model.complete
    with pytest.raises(ConfigurationError) as caught:
        call("hi")
    text = f"{caught.value!s} {caught.value!r} {_with_locals(caught.value)}"
    assert "base_url" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(caught.value)
    assert SECRET_KEY[:8] not in text


class _Nowhere:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.secret_id = SECRET_ID
        self.secret_key = SECRET_KEY


def test_api_key_errors_never_show_the_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ChatHunyuan(api="run_thread", api_key=API_KEY).invoke("hi")
    assert "API KEY" in str(caught.value)
    assert_clean(str(caught.value), "LangChain's api_key explanation")
    with pytest.raises(ConfigurationError) as caught:
        Hunyuan(api="run_thread", api_key=API_KEY).complete("hi")
    assert_clean(str(caught.value), "LlamaIndex's api_key explanation")
    with pytest.raises(ConfigurationError) as caught:
        HunyuanClient(secret_id=API_KEY, secret_key=SECRET_KEY)
    assert_clean(str(caught.value), "the core's api_key explanation")


# --------------------------------------------------------------------------- TLS


def _verify_settings(context: ssl.SSLContext) -> tuple[ssl.VerifyMode, bool]:
    return context.verify_mode, context.check_hostname


async def test_tls_verification_is_on_by_default() -> None:
    creds = {"secret_id": SECRET_ID, "secret_key": SECRET_KEY}
    chat = ChatHunyuan(**creds)
    llm = Hunyuan(**creds)
    sync_clients = [HunyuanClient(**creds), chat._client, llm._get_client()]
    for client in sync_clients:
        assert client.endpoint.url.startswith("https://")
        context = client._http._transport._pool._ssl_context
        assert _verify_settings(context) == (ssl.CERT_REQUIRED, True)
    async_clients = [AsyncHunyuanClient(**creds), chat._async_client, llm._get_aclient()]
    for aclient in async_clients:
        context = aclient._http._transport.ssl_context()
        assert _verify_settings(context) == (ssl.CERT_REQUIRED, True)
        assert context is aclient._ssl_context()  # the client's, shared by its pools
        await aclient.aclose()


class _TLSServer(http.server.ThreadingHTTPServer):
    """HTTPS on loopback with a self-signed certificate; counts the requests that got through."""

    daemon_threads = True

    def __init__(self, cert: Path, key: Path) -> None:
        self.served = 0
        super().__init__(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the refused handshakes


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server = self.server
        assert isinstance(server, _TLSServer)
        server.served += 1
        self.rfile.read(int(self.headers.get("content-length", 0)))
        error = {"Code": "AuthFailure.SignatureFailure", "Message": "x"}
        body = json.dumps({"Response": {"Error": error, "RequestId": "r"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_TLSServer, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key),
            "-out", str(cert), "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = _TLSServer(cert, key)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, cert
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_untrusted_certificate_is_refused_before_any_request(
    tls_server: tuple[_TLSServer, Path], adapter: Adapter
) -> None:
    server, cert = tls_server
    url = f"https://127.0.0.1:{server.server_address[1]}/"
    creds = {"secret_id": SECRET_ID, "secret_key": SECRET_KEY, "base_url": url, "max_retries": 0}
    model: Any = ChatHunyuan(**creds) if adapter == "langchain" else Hunyuan(**creds)
    out = asyncio.run(drive(adapter, "sync", "invoke", model, PROMPT))
    assert_error_class(adapter, out.error, APIConnectionError)  # type: ignore[arg-type]
    assert isinstance(out.error, APIConnectionError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(out.error)
    assert server.served == 0
    # The same server, trusted explicitly: the request goes through (so the refusal above was
    # the certificate check, nothing else).
    trusted = httpx.Client(verify=ssl.create_default_context(cafile=str(cert)))
    with trusted:
        if adapter == "langchain":
            model = ChatHunyuan(**creds, http_client=trusted)
        else:
            model = Hunyuan(**creds, http_client=trusted)
        out = asyncio.run(drive(adapter, "sync", "invoke", model, PROMPT))
    assert isinstance(out.error, AuthenticationError)
    assert server.served == 1


# --------------------------------------------------------------------------- plain http

REFUSED = [
    "http://hunyuan.example.com",
    "http://10.0.0.8:8080/",
    "http://[2001:db8::1]/",
    "http://evil.localhost:8765/",  # names under .localhost may resolve anywhere through DNS
    "http://127.0.0.1.nip.io/",
    "http://0.0.0.0:8765/",
]
LOOPBACK = [
    "http://127.0.0.1:8765/",
    "http://localhost:8765/",
    "http://[::1]:8765/",
    "http://127.4.5.6/",
]


def _endpoint(adapter: str, url: str, **extra: Any) -> str:
    creds = {"secret_id": SECRET_ID, "secret_key": SECRET_KEY, "base_url": url, **extra}
    if adapter == "core":
        return HunyuanClient(**creds).endpoint.url
    if adapter == "langchain":
        return str(ChatHunyuan(**creds)._client.endpoint.url)
    return str(Hunyuan(**creds)._get_client().endpoint.url)


@pytest.mark.parametrize("url", REFUSED)
@pytest.mark.parametrize("adapter", ["core", "langchain", "llamaindex"])
def test_plain_http_to_other_hosts_needs_consent(adapter: str, url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        _endpoint(adapter, url)
    assert _endpoint(adapter, url, allow_insecure_http=True).startswith("http://")


@pytest.mark.parametrize("url", LOOPBACK)
@pytest.mark.parametrize("adapter", ["core", "langchain", "llamaindex"])
def test_plain_http_to_loopback_is_allowed(adapter: str, url: str) -> None:
    assert _endpoint(adapter, url).startswith("http://")


def test_plain_http_is_refused_before_any_connection() -> None:
    model = ChatHunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url="http://10.0.0.8/")
    with pytest.raises(ConfigurationError):
        model.invoke("hi")
    llm = Hunyuan(secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url="http://10.0.0.8/")
    with pytest.raises(ConfigurationError):
        llm.complete("hi")


# --------------------------------------------------------------------------- signatures


class _Clock:
    """The emulator's clock, movable by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture(scope="module")
def clocked() -> Iterator[tuple[EmulatorHandle, _Clock]]:
    clock = _Clock()
    with run_emulator(clock=clock) as handle:
        yield handle, clock


@pytest.fixture
def clock_emu(clocked: tuple[EmulatorHandle, _Clock]) -> Iterator[tuple[EmulatorHandle, _Clock]]:
    emu, clock = clocked
    emu.state.reset()
    default_ledger().clear()
    clock.offset = 0.0
    yield emu, clock
    clock.offset = 0.0


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_stale_timestamps_are_rejected_and_never_retried(
    clock_emu: tuple[EmulatorHandle, _Clock], adapter: Adapter, mode: Mode, call: Call
) -> None:
    emu, clock = clock_emu
    clock.offset = 301.0  # the client's clock is 301 s behind the service's
    out = await drive(adapter, mode, call, make_model(adapter, emu), PROMPT)
    assert out.error is not None
    assert_error_class(adapter, out.error, AuthenticationError)
    assert isinstance(out.error, AuthenticationError)
    assert out.error.code == "AuthFailure.SignatureExpire"
    assert [r.outcome for r in emu.state.requests] == ["AuthFailure.SignatureExpire"]
    if adapter == "langchain":
        assert isinstance(out.error, lc_exceptions.ModelAuthenticationError)


def test_a_captured_request_replays_only_within_the_signature_window(
    clock_emu: tuple[EmulatorHandle, _Clock],
) -> None:
    emu, clock = clock_emu
    captured: list[httpx.Request] = []

    def capture(request: httpx.Request) -> None:
        # Request hooks run after TC3Auth has signed the request: this is what travels.
        if request.headers.get("x-tc-action") == "RunThread":
            captured.append(request)

    with httpx.Client(event_hooks={"request": [capture]}) as spy:
        model = make_model("langchain", emu, http_client=spy)
        assert model.invoke(PROMPT).content
    (request,) = captured
    with httpx.Client() as attacker:

        def replay() -> dict[str, Any]:
            response = attacker.post(
                str(request.url), content=request.content, headers=dict(request.headers)
            )
            if response.headers["content-type"].startswith("text/event-stream"):
                return {"stream": True}
            return dict(response.json()["Response"])

        # Within the 300 s window the service cannot tell a replay from the original: API 3.0
        # signs no nonce. TLS (verified by default, above) is what keeps requests from capture.
        assert replay() == {"stream": True}
        clock.offset = 301.0
        answer = replay()
    assert answer["Error"]["Code"] == "AuthFailure.SignatureExpire"
    assert [r.outcome for r in emu.state.requests if r.action == "RunThread"] == [
        "stream",
        "stream",
        "AuthFailure.SignatureExpire",
    ]


class _Tamper(httpx.BaseTransport):
    """A man in the middle: changes the body of RunThread requests after they were signed."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("x-tc-action") == "RunThread":
            body = request.read().replace(b'"Stream":true', b'"Stream":true ')
            request = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            request.headers["content-length"] = str(len(body))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_wrong_signatures_are_rejected_and_never_retried(
    sec_emu: EmulatorHandle, adapter: Adapter
) -> None:
    for mode in MODES:
        sec_emu.state.reset()
        out = await drive(
            adapter, mode, "invoke", _model(adapter, sec_emu, secret_key=WRONG_KEY), PROMPT
        )
        assert out.error is not None
        assert_error_class(adapter, out.error, AuthenticationError)
        assert isinstance(out.error, AuthenticationError)
        assert out.error.code == "AuthFailure.SignatureFailure"
        assert [r.outcome for r in sec_emu.state.requests] == ["AuthFailure.SignatureFailure"]
    # A body changed in transit no longer matches its signature.
    sec_emu.state.reset()
    with httpx.Client(transport=_Tamper()) as tampering:
        model = _model(adapter, sec_emu, http_client=tampering)
        out = await drive(adapter, "sync", "invoke", model, PROMPT)
    assert isinstance(out.error, AuthenticationError)
    assert out.error.code == "AuthFailure.SignatureFailure"
    assert [r.outcome for r in sec_emu.state.requests] == ["ok", "AuthFailure.SignatureFailure"]
    # Unknown SecretId, and temporary credentials without their token.
    for model, code in (
        (_model(adapter, sec_emu, secret_id=UNKNOWN_ID), "AuthFailure.SecretIdNotFound"),
        (make_model(adapter, sec_emu), "AuthFailure.TokenFailure"),
    ):
        out = await drive(adapter, "async", "stream", model, PROMPT)
        assert isinstance(out.error, AuthenticationError)
        assert out.error.code == code


def test_each_request_is_signed_when_sent() -> None:
    """A retry carries a fresh timestamp: TC3Auth signs at send time, not at build time."""
    times = iter([1_000.0, 1_400.0])
    auth = TC3Auth(
        HunyuanClient(secret_id=SECRET_ID, secret_key=SECRET_KEY).credentials,
        clock=lambda: next(times),
    )
    request = httpx.Request("POST", "https://hunyuan.tencentcloudapi.com/", content=b"{}")
    request.headers["Content-Type"] = "application/json"
    first = next(auth.auth_flow(request)).headers["X-TC-Timestamp"]
    second = next(auth.auth_flow(request)).headers["X-TC-Timestamp"]
    assert (first, second) == ("1000", "1400")
