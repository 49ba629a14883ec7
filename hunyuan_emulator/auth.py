"""TC3-HMAC-SHA256 verification, in the order the service reports failures.

The signature is recomputed here from Tencent Cloud API 3.0's specification, not with the
client's signer: a shared implementation would accept the client's own mistakes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

from .errors import RuleError
from .schema import missing
from .state import EmulatorState

__all__ = ["expected_signature", "verify_request"]

_AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256\s+Credential=([^/\s,]+)/(\d{4}-\d{2}-\d{2})/([^/\s,]+)/tc3_request\s*,"
    r"\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})$"
)


def _utc_date(timestamp: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _canonical(signed: list[str], headers: Mapping[str, str], body: bytes) -> str:
    # Header names and values lower-cased and trimmed, in SignedHeaders order; POST to "/"
    # with no query string.
    lines = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed)
    return f"POST\n/\n\n{lines}\n{';'.join(signed)}\n{_sha256_hex(body)}"


def expected_signature(
    *, secret_key: str, timestamp: int, service: str, canonical_request: str
) -> str:
    """The hex signature of ``canonical_request`` (the scope's date is the timestamp's)."""
    date = _utc_date(timestamp)
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
        f"{_sha256_hex(canonical_request.encode('utf-8'))}"
    )
    signing_key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(signing_key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_request(headers: Mapping[str, str], body: bytes, state: EmulatorState) -> str:
    """The SecretId that signed the request, or the ``AuthFailure.*`` it earns."""
    match = _AUTH_RE.match(headers.get("authorization", "").strip())
    if match is None:
        raise RuleError(
            "AuthFailure.InvalidAuthorization",
            "Authorization must be 'TC3-HMAC-SHA256 Credential=<SecretId>/<Date>/hunyuan/"
            "tc3_request, SignedHeaders=content-type;host, Signature=<hex>'.",
        )
    secret_id, date, service, signed_headers, given = match.groups()
    signed = signed_headers.split(";")
    if "content-type" not in signed or "host" not in signed:
        raise RuleError(
            "AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host."
        )
    raw_timestamp = headers.get("x-tc-timestamp")
    if raw_timestamp is None:
        raise missing("X-TC-Timestamp")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise RuleError("InvalidParameter", "X-TC-Timestamp must be Unix seconds.") from None
    now = state.now()
    if abs(now - timestamp) > state.settings.signature_window:
        raise RuleError(
            "AuthFailure.SignatureExpire",
            f"签名过期。Timestamp {timestamp} is more than {state.settings.signature_window} s "
            f"from the server time {int(now)}.",
        )
    credential = state.credential(secret_id)
    if credential is None:
        raise RuleError(
            # Like the service, never echo the SecretId: error messages end up in logs.
            "AuthFailure.SecretIdNotFound",
            "密钥不存在。The SecretId is unknown; check it in the access-key console.",
        )
    if service != "hunyuan":
        raise RuleError(
            "AuthFailure.SignatureFailure",
            f"The credential scope names service {service!r}, not hunyuan.",
        )
    if date != _utc_date(timestamp):
        raise RuleError(
            "AuthFailure.SignatureFailure",
            f"The credential date {date} is not the UTC date of X-TC-Timestamp "
            f"({_utc_date(timestamp)}).",
        )
    expected = expected_signature(
        secret_key=credential.secret_key,
        timestamp=timestamp,
        service=service,
        canonical_request=_canonical(signed, headers, body),
    )
    if not hmac.compare_digest(expected, given):
        raise RuleError(
            "AuthFailure.SignatureFailure",
            "请求签名验证失败。The signature does not match the request (body bytes, Host, "
            "Content-Type, timestamp or SecretKey differ).",
        )
    if credential.token is not None and headers.get("x-tc-token") != credential.token:
        raise RuleError("AuthFailure.TokenFailure", "token 错误。X-TC-Token is missing or wrong.")
    return secret_id
