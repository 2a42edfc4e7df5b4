"""Confluence's error bodies: REST v1 (`statusCode`, `message`, `data`) and REST v2 (`errors: [...]`)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sync.sandbox.emulator import ApiError, json_response

_V2_CODES = {
    400: ("INVALID_REQUEST_PARAMETER", "Bad Request"),
    401: ("UNAUTHORIZED", "Unauthorized"),
    403: ("FORBIDDEN", "Forbidden"),
    404: ("NOT_FOUND", "Not Found"),
    405: ("METHOD_NOT_ALLOWED", "Method Not Allowed"),
    409: ("CONFLICT", "Conflict"),
    410: ("GONE", "Gone"),
    413: ("REQUEST_ENTITY_TOO_LARGE", "Request Entity Too Large"),
    429: ("TOO_MANY_REQUESTS", "Too Many Requests"),
    500: ("INTERNAL_SERVER_ERROR", "Internal Server Error"),
    502: ("BAD_GATEWAY", "Bad Gateway"),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable"),
}

_DEFAULT_MESSAGES = {
    401: "Current user not permitted to use Confluence",
    404: "Not found",
    409: "Conflict",
    429: "Rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


def _retry_headers(status: int, retry_after: float | None) -> dict[str, str]:
    if status != 429:
        return {}
    seconds = max(1, int(-(-(retry_after or 1) // 1)))  # ceil, at least one second
    return {"Retry-After": str(seconds)}


class V1Error(ApiError):
    def __init__(self, status: int, message: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message or _DEFAULT_MESSAGES.get(status, "Error"))
        self.status, self.message, self.retry_after = status, message or str(self), retry_after

    def response(self) -> Response:
        body = {
            "statusCode": self.status,
            "data": {
                "authorized": self.status not in (401, 403),
                "valid": True,
                "errors": [],
                "successful": False,
            },
            "message": self.message,
        }
        return json_response(body, self.status, _retry_headers(self.status, self.retry_after))


class V2Error(ApiError):
    def __init__(self, status: int, detail: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail or _DEFAULT_MESSAGES.get(status, "Error"))
        self.status, self.detail, self.retry_after = status, detail, retry_after

    def response(self) -> Response:
        code, title = _V2_CODES.get(self.status, ("ERROR", "Error"))
        body = {"errors": [{"status": self.status, "code": code, "title": title, "detail": self.detail}]}
        return json_response(body, self.status, _retry_headers(self.status, self.retry_after))
