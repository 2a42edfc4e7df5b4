"""Notion's errors: each exception knows its HTTP status and `code`, and renders Notion's error body.

The body is ``{"object": "error", "status", "code", "message", "request_id"}``; codes and example messages
follow https://developers.notion.com/reference/status-codes.
"""

from __future__ import annotations

import math
import uuid

from werkzeug.wrappers import Response

from sync.limits import NOTION_CONNECTION_LIMIT_REASON
from sync.sandbox.emulator import ApiError, json_response

NOT_SHARED_HINT = "Make sure the relevant pages and databases are shared with your integration."


class NotionError(ApiError):
    status = 400
    code = "validation_error"
    default_message = "Invalid request."

    def __init__(self, message: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def body(self) -> dict:
        return {
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": str(uuid.uuid4()),
        }

    def response(self) -> Response:
        return json_response(self.body(), self.status, self.headers)


class ValidationError(NotionError):
    code = "validation_error"


class InvalidJson(NotionError):
    code = "invalid_json"
    default_message = "Error parsing JSON body."


class InvalidRequestUrl(NotionError):
    code = "invalid_request_url"
    default_message = "Invalid request URL."


class InvalidRequest(NotionError):
    code = "invalid_request"
    default_message = "Unsupported request."


class MissingVersion(NotionError):
    code = "missing_version"
    default_message = (
        "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."
    )


class PayloadTooLarge(NotionError):
    # Notion's edge answers oversized bodies with 413 before any schema validation.
    status = 413
    code = "validation_error"
    default_message = "Request body too large: the maximum payload size is 500KB."


class Unauthorized(NotionError):
    status = 401
    code = "unauthorized"
    default_message = "API token is invalid."


class RestrictedResource(NotionError):
    status = 403
    code = "restricted_resource"
    default_message = "API token does not have access to this resource."


class ObjectNotFound(NotionError):
    status = 404
    code = "object_not_found"
    default_message = f"Could not find the requested object. {NOT_SHARED_HINT}"

    @classmethod
    def of(cls, kind: str, object_id: str) -> ObjectNotFound:
        return cls(f"Could not find {kind} with ID: {object_id}. {NOT_SHARED_HINT}")


class ConflictError(NotionError):
    status = 409
    code = "conflict_error"
    default_message = "Conflict occurred while saving. Please try again."


class RateLimited(NotionError):
    status = 429
    code = "rate_limited"
    default_message = "You have been rate limited. Please try again in a few minutes."
    reason = NOTION_CONNECTION_LIMIT_REASON

    def body(self) -> dict:
        # Which limit was hit; clients handle every reason alike.
        return super().body() | {"additional_data": {"rate_limit_reason": self.reason}}


class ServiceOverload(NotionError):
    """Notion is shedding load; handled like a 429, honouring Retry-After."""

    status = 529
    code = "service_overload"
    default_message = "Notion is experiencing high load. Please try again later."


class InternalServerError(NotionError):
    status = 500
    code = "internal_server_error"
    default_message = "Unexpected error occurred."


class BadGateway(NotionError):
    status = 502
    code = "bad_gateway"
    default_message = "Bad Gateway"


class ServiceUnavailable(NotionError):
    status = 503
    code = "service_unavailable"
    default_message = "Notion is unavailable, please try again later."


class GatewayTimeout(NotionError):
    status = 504
    code = "gateway_timeout"
    default_message = "Gateway Timeout"


_BY_STATUS: dict[int, type[NotionError]] = {
    400: ValidationError,
    401: Unauthorized,
    403: RestrictedResource,
    404: ObjectNotFound,
    405: InvalidRequestUrl,
    409: ConflictError,
    413: PayloadTooLarge,
    429: RateLimited,
    500: InternalServerError,
    502: BadGateway,
    503: ServiceUnavailable,
    504: GatewayTimeout,
    529: ServiceOverload,
}


def retry_after_header(seconds: float | None) -> dict[str, str]:
    """Notion sends Retry-After as an integer number of seconds; round up so waiting it is enough."""
    return {"Retry-After": str(max(1, math.ceil(seconds)) if seconds is not None else 1)}


def error_for_status(status: int, retry_after: float | None = None) -> NotionError:
    """The Notion error an injected or generic failure of `status` stands for."""
    kind = _BY_STATUS.get(status)
    if kind is None:
        kind = InternalServerError if status >= 500 else ValidationError
    headers = retry_after_header(retry_after) if status in (429, 529) or retry_after is not None else {}
    error = kind(headers=headers)
    if status not in _BY_STATUS:
        error.status = status  # keep the exact status of an unusual injected code (e.g. 418)
    return error
