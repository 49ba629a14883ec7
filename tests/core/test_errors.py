"""The error tree: code → class, retryability, pickling, and what str() shows."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hunyuan_api import (
    AccountError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContentFilterError,
    HunyuanError,
    NotFoundError,
    PartialOutput,
    RateLimitError,
    ServerError,
    StreamError,
)
from hunyuan_api._errors import (
    TRANSIENT_CODES,
    error_class_for_code,
    make_api_error,
)
from hunyuan_api._wire.responses import error_from_response, parse_json_response

# Protocol §2's table, plus the api3 sub-codes the service really returns.
CODE_TABLE: list[tuple[str, type[APIError]]] = [
    ("AuthFailure", AuthenticationError),
    ("AuthFailure.SignatureFailure", AuthenticationError),
    ("AuthFailure.SignatureExpire", AuthenticationError),
    ("AuthFailure.SecretIdNotFound", AuthenticationError),
    ("AuthFailure.InvalidAuthorization", AuthenticationError),
    ("AuthFailure.UnauthorizedOperation", AuthenticationError),
    ("InvalidParameter", BadRequestError),
    ("InvalidParameter.Something", BadRequestError),
    ("InvalidParameterValue", BadRequestError),
    ("InvalidParameterValue.Model", BadRequestError),
    ("MissingParameter", BadRequestError),
    ("UnknownParameter", BadRequestError),
    ("InvalidAction", BadRequestError),
    ("UnsupportedOperation", BadRequestError),
    ("ResourceNotFound", NotFoundError),
    ("ResourceNotFound.Thread", NotFoundError),
    ("FailedOperation.ServiceNotActivated", AccountError),
    ("FailedOperation.FreeResourcePackExhausted", AccountError),
    ("FailedOperation.ResourcePackExhausted", AccountError),
    ("FailedOperation.ServiceStop", AccountError),
    ("FailedOperation.ServiceStopArrears", AccountError),
    ("ResourceUnavailable", AccountError),
    ("ResourceUnavailable.InArrears", AccountError),
    ("ResourceUnavailable.LowBalance", AccountError),
    ("ResourceInsufficient", AccountError),
    ("ResourceInsufficient.ChargeResourceExhaust", AccountError),
    ("UnauthorizedOperation", AccountError),
    ("OperationDenied", ContentFilterError),
    ("OperationDenied.TextIllegalDetected", ContentFilterError),
    ("OperationDenied.ImageIllegalDetected", ContentFilterError),
    ("FailedOperation.EngineRequestTimeout", ServerError),
    ("FailedOperation.EngineServerError", ServerError),
    ("FailedOperation.EngineServerLimitExceeded", RateLimitError),
    ("LimitExceeded", RateLimitError),
    ("RequestLimitExceeded", RateLimitError),
    ("RequestLimitExceeded.UinLimitExceeded", RateLimitError),
    ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", RateLimitError),
    ("InternalError", ServerError),
    ("InternalError.Anything", ServerError),
    ("ServiceUnavailable", ServerError),
]
TRANSIENT_CLASSES = (RateLimitError, ServerError)


@pytest.mark.parametrize(("code", "cls"), CODE_TABLE)
def test_code_maps_to_class(code: str, cls: type[APIError]) -> None:
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
    assert type(err) is APIError
    assert err.code == code
    assert not err.retryable
    assert code in str(err)


def test_prefix_must_match_a_whole_segment() -> None:
    assert error_class_for_code("AuthFailureX") is APIError
    assert error_class_for_code("InternalErrorish") is APIError
    assert error_class_for_code("FailedOperation.ServiceStopArrearsMore") is APIError


def test_http_5xx_with_unknown_code_is_a_server_error() -> None:
    err = make_api_error("Weird", "down", http_status=503)
    assert type(err) is ServerError
    assert err.retryable
    assert err.http_status == 503
    # a known class is not overridden by the status
    assert type(make_api_error("AuthFailure", "no", http_status=500)) is AuthenticationError


def test_account_errors_say_what_to_do() -> None:
    err = make_api_error("ResourceUnavailable.InArrears", "欠费")
    assert "欠费" in err.message
    assert "console.cloud.tencent.com" in err.message


def test_transient_codes_are_exactly_the_retryable_ones() -> None:
    for code, cls in CODE_TABLE:
        prefix_in_transient = any(code == t or code.startswith(t + ".") for t in TRANSIENT_CODES)
        assert prefix_in_transient == issubclass(cls, TRANSIENT_CLASSES), code


def test_retryable_only_for_transient_classes() -> None:
    assert RateLimitError("x").retryable
    assert ServerError("x").retryable
    assert APIConnectionError("x").retryable
    assert APITimeoutError("x").retryable
    assert StreamError("x").retryable
    for cls in (
        HunyuanError,
        ConfigurationError,
        APIError,
        AuthenticationError,
        BadRequestError,
        NotFoundError,
        AccountError,
        ContentFilterError,
    ):
        assert not cls("x").retryable, cls


def test_hierarchy() -> None:
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(NotFoundError, BadRequestError)
    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (APIError, APIConnectionError, StreamError, ConfigurationError):
        assert issubclass(cls, HunyuanError)


ALL_CLASSES = [
    HunyuanError,
    ConfigurationError,
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    AccountError,
    ContentFilterError,
    RateLimitError,
    ServerError,
    APIConnectionError,
    APITimeoutError,
    StreamError,
]


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_every_error_pickles_with_all_attributes(cls: type[HunyuanError]) -> None:
    partial = PartialOutput(
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
        code, message, request_id=request_id, http_status=status, partial=PartialOutput(text=text)
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
    with_partial = StreamError("broke", code="StreamTruncated", partial=PartialOutput(text="12345"))
    assert "5 characters" in str(with_partial)
    assert with_partial.partial_text == "12345"
    assert with_partial.stream_started
    assert not StreamError("x").stream_started


# -- errors read from responses ------------------------------------------------------------


def test_error_body_gives_code_message_and_request_id() -> None:
    body = (
        b'{"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "sig"}, '
        b'"RequestId": "body-rid"}}'
    )
    err = error_from_response(200, {"x-tc-requestid": "header-rid"}, body)
    assert type(err) is AuthenticationError
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
    assert type(err) is ServerError
    assert (err.code, err.request_id, err.http_status) == ("HTTP.502", "hdr", 502)
    assert "Bad Gateway" in err.message
    assert err.retryable


def test_http_429_is_rate_limited_and_4xx_is_not_retried() -> None:
    assert type(error_from_response(429, {}, b"")) is RateLimitError
    err = error_from_response(403, {}, b"")
    assert type(err) is APIError
    assert not err.retryable
    assert "<empty body>" in err.message


def test_parse_json_response_returns_response_or_raises() -> None:
    ok = parse_json_response(200, {}, b'{"Response": {"ID": "t", "RequestId": "r"}}')
    assert ok == {"ID": "t", "RequestId": "r"}
    with pytest.raises(BadRequestError):
        parse_json_response(
            200, {}, b'{"Response": {"Error": {"Code": "MissingParameter"}, "RequestId": "r"}}'
        )
    with pytest.raises(APIError):
        parse_json_response(200, {}, b"not json")
