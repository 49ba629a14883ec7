"""The error tree: code → class, retryability, pickling, and what str() shows."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hunyuan_api as hy
from hunyuan_api._errors import (
    TRANSIENT_CODES,
    error_class_for_code,
    make_api_error,
)
from hunyuan_api._wire.responses import error_from_response, parse_json_response

# Protocol §2's table, plus the api3 sub-codes the service really returns.
CODE_TABLE: list[tuple[str, type[hy.APIError]]] = [
    ("AuthFailure", hy.AuthenticationError),
    ("AuthFailure.SignatureFailure", hy.AuthenticationError),
    ("AuthFailure.SignatureExpire", hy.AuthenticationError),
    ("AuthFailure.SecretIdNotFound", hy.AuthenticationError),
    ("AuthFailure.InvalidAuthorization", hy.AuthenticationError),
    ("AuthFailure.UnauthorizedOperation", hy.AuthenticationError),
    ("InvalidParameter", hy.BadRequestError),
    ("InvalidParameter.Something", hy.BadRequestError),
    ("InvalidParameterValue", hy.BadRequestError),
    ("InvalidParameterValue.Model", hy.BadRequestError),
    ("MissingParameter", hy.BadRequestError),
    ("UnknownParameter", hy.BadRequestError),
    ("InvalidAction", hy.BadRequestError),
    ("UnsupportedOperation", hy.BadRequestError),
    ("ResourceNotFound", hy.NotFoundError),
    ("ResourceNotFound.Thread", hy.NotFoundError),
    ("FailedOperation.ServiceNotActivated", hy.AccountError),
    ("FailedOperation.FreeResourcePackExhausted", hy.AccountError),
    ("FailedOperation.ResourcePackExhausted", hy.AccountError),
    ("FailedOperation.ServiceStop", hy.AccountError),
    ("FailedOperation.ServiceStopArrears", hy.AccountError),
    ("ResourceUnavailable", hy.AccountError),
    ("ResourceUnavailable.InArrears", hy.AccountError),
    ("ResourceUnavailable.LowBalance", hy.AccountError),
    ("ResourceInsufficient", hy.AccountError),
    ("ResourceInsufficient.ChargeResourceExhaust", hy.AccountError),
    ("UnauthorizedOperation", hy.AccountError),
    ("OperationDenied", hy.ContentFilterError),
    ("OperationDenied.TextIllegalDetected", hy.ContentFilterError),
    ("OperationDenied.ImageIllegalDetected", hy.ContentFilterError),
    ("FailedOperation.EngineRequestTimeout", hy.ServerError),
    ("FailedOperation.EngineServerError", hy.ServerError),
    ("FailedOperation.EngineServerLimitExceeded", hy.RateLimitError),
    ("LimitExceeded", hy.RateLimitError),
    ("RequestLimitExceeded", hy.RateLimitError),
    ("RequestLimitExceeded.UinLimitExceeded", hy.RateLimitError),
    ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", hy.RateLimitError),
    ("InternalError", hy.ServerError),
    ("InternalError.Anything", hy.ServerError),
    ("ServiceUnavailable", hy.ServerError),
]
TRANSIENT_CLASSES = (hy.RateLimitError, hy.ServerError)


@pytest.mark.parametrize(("code", "cls"), CODE_TABLE)
def test_code_maps_to_class(code: str, cls: type[hy.APIError]) -> None:
    assert error_class_for_code(code) is cls
    err = make_api_error(code, "msg", request_id="rid-1")
    assert type(err) is cls
    assert err.code == code
    assert err.retryable == issubclass(cls, TRANSIENT_CLASSES)


@pytest.mark.parametrize(
    "code", ["FailedOperation", "FailedOperation.SomethingNew", "Weird", "DryRunOperation", "4xx"]
)
def test_unknown_codes_keep_their_text_and_are_api_errors(code: str) -> None:
    err = make_api_error(code, "the message", request_id="rid")
    assert type(err) is hy.APIError
    assert err.code == code
    assert not err.retryable
    assert code in str(err)


def test_prefix_must_match_a_whole_segment() -> None:
    assert error_class_for_code("AuthFailureX") is hy.APIError
    assert error_class_for_code("InternalErrorish") is hy.APIError
    assert error_class_for_code("FailedOperation.ServiceStopArrearsMore") is hy.APIError


def test_http_5xx_with_unknown_code_is_a_server_error() -> None:
    err = make_api_error("Weird", "down", http_status=503)
    assert type(err) is hy.ServerError
    assert err.retryable
    assert err.http_status == 503
    # a known class is not overridden by the status
    assert type(make_api_error("AuthFailure", "no", http_status=500)) is hy.AuthenticationError


def test_account_errors_say_what_to_do() -> None:
    err = make_api_error("ResourceUnavailable.InArrears", "欠费")
    assert "欠费" in err.message
    assert "console.cloud.tencent.com" in err.message


def test_transient_codes_are_exactly_the_retryable_ones() -> None:
    for code, cls in CODE_TABLE:
        prefix_in_transient = any(code == t or code.startswith(t + ".") for t in TRANSIENT_CODES)
        assert prefix_in_transient == issubclass(cls, TRANSIENT_CLASSES), code


def test_hierarchy() -> None:
    assert issubclass(hy.ConfigurationError, ValueError)
    assert issubclass(hy.NotFoundError, hy.BadRequestError)
    assert issubclass(hy.APITimeoutError, hy.APIConnectionError)
    for cls in (hy.APIError, hy.APIConnectionError, hy.StreamError, hy.ConfigurationError):
        assert issubclass(cls, hy.HunyuanError)


ALL_CLASSES = [
    hy.HunyuanError,
    hy.ConfigurationError,
    hy.APIError,
    hy.AuthenticationError,
    hy.BadRequestError,
    hy.NotFoundError,
    hy.AccountError,
    hy.ContentFilterError,
    hy.RateLimitError,
    hy.ServerError,
    hy.APIConnectionError,
    hy.APITimeoutError,
    hy.StreamError,
]


RETRYABLE = {
    hy.RateLimitError,
    hy.ServerError,
    hy.APIConnectionError,
    hy.APITimeoutError,
    hy.StreamError,
}


def test_retryable_only_for_transient_classes() -> None:
    assert set(ALL_CLASSES) > RETRYABLE
    for cls in ALL_CLASSES:
        assert cls("x").retryable is (cls in RETRYABLE), cls


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_every_error_pickles_with_all_attributes(cls: type[hy.HunyuanError]) -> None:
    partial = hy.PartialOutput(
        text="半句话😀",
        reasoning="thinking",
        tool_calls=[{"id": "c1", "name": "f", "arguments": '{"a": 1}'}],
        thread_id="thread_1",
        run_id="run_1",
        request_id="rid-9",
    )
    err = cls(
        "消息 message", code="Some.Code", request_id="rid-9", http_status=502, partial=partial
    )
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is cls
    assert (clone.message, clone.code, clone.request_id, clone.http_status) == (
        "消息 message",
        "Some.Code",
        "rid-9",
        502,
    )
    assert clone.partial == partial
    assert str(clone) == str(err)
    assert clone.args == err.args
    assert clone.retryable == err.retryable


@settings(max_examples=200, deadline=None)
@given(
    code=st.text(max_size=20),
    message=st.text(max_size=40),
    request_id=st.none() | st.text(max_size=10),
    status=st.none() | st.integers(100, 599),
    text=st.text(max_size=20),
)
def test_made_errors_pickle_round_trip(code, message, request_id, status, text) -> None:
    err = make_api_error(
        code,
        message,
        request_id=request_id,
        http_status=status,
        partial=hy.PartialOutput(text=text),
    )
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err)
    assert vars(clone) == vars(err)


def test_str_includes_code_request_id_and_partial_size() -> None:
    err = make_api_error("InvalidParameterValue.Model", "bad model", request_id="abc-123")
    text = str(err)
    assert "InvalidParameterValue.Model" in text
    assert "abc-123" in text
    assert "bad model" in text
    with_partial = hy.StreamError(
        "broke", code="StreamTruncated", partial=hy.PartialOutput(text="12345")
    )
    assert "5 characters" in str(with_partial)
    assert with_partial.partial_text == "12345"
    assert with_partial.stream_started
    assert not hy.StreamError("x").stream_started


# -- errors read from responses ------------------------------------------------------------


def test_error_body_gives_code_message_and_request_id() -> None:
    body = (
        b'{"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "sig"}, '
        b'"RequestId": "body-rid"}}'
    )
    err = error_from_response(200, {"x-tc-requestid": "header-rid"}, body)
    assert type(err) is hy.AuthenticationError
    assert (err.code, err.message, err.request_id, err.http_status) == (
        "AuthFailure.SignatureFailure",
        "sig",
        "body-rid",
        200,
    )


def test_request_id_falls_back_to_the_header() -> None:
    err = error_from_response(
        502, {"x-tc-requestid": "hdr", "content-type": "text/html"}, b"<html>Bad Gateway</html>"
    )
    assert type(err) is hy.ServerError
    assert (err.code, err.request_id, err.http_status) == ("HTTP.502", "hdr", 502)
    assert "Bad Gateway" in err.message
    assert err.retryable


def test_http_429_is_rate_limited_and_4xx_is_not_retried() -> None:
    assert type(error_from_response(429, {}, b"")) is hy.RateLimitError
    err = error_from_response(403, {}, b"")
    assert type(err) is hy.APIError
    assert not err.retryable
    assert "<empty body>" in err.message


def test_parse_json_response_returns_response_or_raises() -> None:
    ok = parse_json_response(200, {}, b'{"Response": {"ID": "t", "RequestId": "r"}}')
    assert ok == {"ID": "t", "RequestId": "r"}
    with pytest.raises(hy.BadRequestError):
        parse_json_response(
            200, {}, b'{"Response": {"Error": {"Code": "MissingParameter"}, "RequestId": "r"}}'
        )
    with pytest.raises(hy.APIError):
        parse_json_response(200, {}, b"not json")
