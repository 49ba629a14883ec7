"""The errors the emulator answers with: ``RuleError`` and each code's documented message."""

from __future__ import annotations

__all__ = ["CHAT_ERROR_MSG_CODE", "RuleError", "error_msg", "message_for"]

# From the seed document's error table and Tencent Cloud API 3.0's common codes.
_MESSAGES: dict[str, str] = {
    "FailedOperation.EngineRequestTimeout": "引擎层请求超时；请稍后重试。",
    "FailedOperation.EngineServerError": "引擎层内部错误；请稍后重试。",
    "FailedOperation.EngineServerLimitExceeded": "引擎层请求超过限额；请稍后重试。",
    "FailedOperation.FreeResourcePackExhausted": "免费资源包余量已用尽，请购买资源包或开通后付费。",
    "FailedOperation.ResourcePackExhausted": "资源包余量已用尽，请购买资源包或开通后付费。",
    "FailedOperation.ServiceNotActivated": "服务未开通，请前往控制台申请试用。",
    "FailedOperation.ServiceStop": "用户主动停服。",
    "FailedOperation.ServiceStopArrears": "欠费停服。",
    "InternalError": "内部错误。",
    "InvalidParameter": "参数错误。",
    "InvalidParameterValue": "参数取值错误。",
    "InvalidParameterValue.Model": "模型不存在。",
    "LimitExceeded": "超过配额限制。",
    "RequestLimitExceeded": "请求的次数超过了频率限制。",
    "ServiceUnavailable": "当前服务暂时不可用。",
    "OperationDenied.TextIllegalDetected": "文本包含违法违规信息，审核不通过。",
    "ResourceNotFound": "资源不存在。",
    "UnsupportedOperation": "操作不支持。",
    "AuthFailure.SignatureFailure": "请求签名验证失败，请检查您的签名计算是否正确。",
    "AuthFailure.SignatureExpire": "签名过期。Timestamp 和服务器时间相差不得超过五分钟。",
    "AuthFailure.SecretIdNotFound": "密钥不存在。请在控制台检查密钥是否已被删除或者禁用。",
    "AuthFailure.InvalidAuthorization": "请求头部的 Authorization 不符合腾讯云标准。",
    "AuthFailure.TokenFailure": "token 错误。",
}

#: ``ErrorMsg.Code`` used in ChatCompletions streams when a fault names a non-numeric code.
CHAT_ERROR_MSG_CODE = 4000


class RuleError(Exception):
    """A request the service refuses; ``code`` and ``message`` go on the wire, and ``param``
    (the field at fault, when one is) in the OpenAI-compatible endpoint's error body."""

    def __init__(self, code: str, message: str, *, param: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.param = param


def message_for(code: str) -> str:
    """The code's documented message; unknown codes fall back to their parent's, then the code."""
    candidate = code
    while candidate:
        if candidate in _MESSAGES:
            return _MESSAGES[candidate]
        candidate = candidate.rpartition(".")[0]
    return code


def error_msg(code: str, message: str) -> dict[str, int | str]:
    """The ``{"Code": <int>, "Msg"}`` of an ``ErrorMsg`` frame: numeric codes travel as the
    number, any other code as 4000 with the code kept in the text."""
    if code.isdigit():
        return {"Code": int(code), "Msg": message}
    return {"Code": CHAT_ERROR_MSG_CODE, "Msg": f"{code}: {message}"}
