"""The WSGI base both emulators share: routing, traffic (latency, rate limit, faults, log), control API.

Each emulator subclasses `Emulator`, builds its `url_map` (werkzeug routing) with endpoint names that are
method names on the subclass, raises its own `ApiError` subclasses (which render in that API's wire shape)
and implements `authenticate` and `error_response`. The control API under ``/_sandbox/`` lets tests and
the command line inject faults, change latency and rate limits, and read the request log; it is never
rate-limited, faulted, logged or authenticated.
"""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from sync.sandbox.faults import Fault, RequestRecord, Traffic

CONTROL_PREFIX = "/_sandbox/"


class ApiError(Exception):
    """An error answered in the emulated API's own shape."""

    status = 500

    def response(self) -> Response:  # pragma: no cover - subclasses render
        raise NotImplementedError


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


class Emulator:
    url_map: Map
    # Permissions the control API can take from the API user (`/_sandbox/deny`), each refused the way the
    # real API refuses it; `denied` holds the ones taken.
    permissions: tuple[str, ...] = ()
    denied: set[str]
    # POST endpoints that only read (Notion's query and search), so the request log can tell writes apart.
    read_only_posts: tuple[str, ...] = ()

    def __init__(self, traffic: Traffic | None = None) -> None:
        self.traffic = traffic or Traffic()

    # --- what each API defines -------------------------------------------------------------------
    def authenticate(self, request: Request) -> None:
        """Raise the API's 401 error when the credentials are wrong."""
        raise NotImplementedError

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """An injected or generic error (429, 5xx, 409) in the API's own shape."""
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        return self.error_response(404)

    def limited(self, request: Request) -> bool:
        """Whether the request counts against the rate limit (file downloads from storage do not)."""
        return True

    def control(self, request: Request, action: str) -> Response | None:
        """Emulator-specific control actions (seeding, simulated human edits); None if unknown."""
        return None

    def dispatch(self, endpoint: str, request: Request, args: dict[str, Any]) -> Response:
        """Call the endpoint method; an emulator may override to translate its state's errors."""
        return getattr(self, endpoint)(request, **args)

    # --- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self._serve(request, environ)
        return response(environ, start_response)

    def is_write(self, request: Request) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        return not any(request.path.endswith(suffix) for suffix in self.read_only_posts)

    def _serve(self, request: Request, environ: dict) -> Response:
        record = RequestRecord(
            request.method,
            request.path,
            request.query_string.decode("latin-1"),
            write=self.is_write(request),
        )
        self.traffic.record(record)
        response = self._respond(request, environ, record)
        record.status = response.status_code
        return response

    def _respond(self, request: Request, environ: dict, record: RequestRecord) -> Response:
        # The latency is the time to answer, the emulator's own work included (as a real service's is): the
        # answer waits for whatever is left of it.
        traffic = self.traffic
        started = traffic.clock()
        response = self._answer(request, environ, record)
        if traffic.latency_ms:
            traffic.sleep(max(0.0, traffic.latency_ms / 1000 - (traffic.clock() - started)))
        return response

    def _answer(self, request: Request, environ: dict, record: RequestRecord) -> Response:
        traffic = self.traffic
        wait = traffic.rate_limit_wait() if self.limited(request) else 0.0
        if wait > 0:
            record.fault, record.write = "rate_limit", False
            return self.error_response(429, retry_after=wait)
        fault = traffic.take_fault(request.method, request.path)
        if fault is not None:
            record.fault = fault.kind if fault.kind != "status" else str(fault.status)
            if fault.kind == "drop":
                record.write = False
                return self._drop(environ)
            if fault.kind == "lost":
                response = self._dispatch(request)
                if fault.delay:
                    traffic.sleep(fault.delay)
                    return response
                return self._drop(environ)
            if fault.kind == "slow":
                traffic.sleep(fault.delay)
            else:
                record.write = False
                return self.error_response(fault.status, retry_after=fault.retry_after)
        return self._dispatch(request)

    def _dispatch(self, request: Request) -> Response:
        try:
            self.authenticate(request)
            endpoint, args = self.url_map.bind_to_environ(request.environ).match()
            return self.dispatch(endpoint, request, args)
        except ApiError as error:
            return error.response()
        except NotFound:
            return self.not_found(request)
        except MethodNotAllowed:
            return self.error_response(405)
        except HTTPException as error:  # e.g. werkzeug's own 400 on an unreadable body
            return self.error_response(error.code or 500)

    @staticmethod
    def _drop(environ: dict) -> Response:
        sock = environ.get("werkzeug.socket")
        if sock is None:  # in-process transport: there is no socket to close
            raise ConnectionResetError("sandbox dropped the connection")
        with contextlib.suppress(OSError):  # the client may have gone already
            sock.shutdown(socket.SHUT_RDWR)
        return Response(b"", status=500)

    # --- control API -----------------------------------------------------------------------------
    def _control_deny(self, method: str, body: dict) -> Response:
        """POST {"permission": name, "denied": true|false} takes a permission away or gives it back;
        DELETE gives them all back; GET lists the permissions and which are denied."""
        if method == "POST":
            name = body.get("permission")
            if name not in self.permissions:
                return json_response({"error": f"unknown permission {name!r}", "known": list(self.permissions)}, 400)
            (self.denied.add if body.get("denied", True) else self.denied.discard)(name)
        elif method == "DELETE":
            self.denied.clear()
        return json_response({"permissions": list(self.permissions), "denied": sorted(self.denied)})

    def _control(self, request: Request) -> Response:
        action = request.path[len(CONTROL_PREFIX) :].strip("/")
        body = request.get_json(silent=True) or {}
        if action == "faults" and request.method == "POST":
            fault = self.traffic.add_fault(Fault.from_dict(body))
            return json_response({"added": fault.__dict__}, 201)
        if action == "faults" and request.method == "DELETE":
            self.traffic.faults.clear()
            return json_response({"cleared": True})
        if action == "traffic" and request.method == "POST":
            if "latency_ms" in body:
                self.traffic.latency_ms = float(body["latency_ms"])
            if "rate" in body:
                self.traffic.set_rate_limit(body["rate"], int(body.get("burst", 1)))
            if "per_minute" in body:
                self.traffic.set_budget(body["per_minute"])
            return json_response(self.traffic.snapshot())
        if action in ("traffic", "requests") and request.method == "GET":
            return json_response(self.traffic.snapshot())
        if action == "requests" and request.method == "DELETE":
            self.traffic.log.clear()
            return json_response({"cleared": True})
        if action == "deny":
            return self._control_deny(request.method, body)
        response = self.control(request, action)
        return response if response is not None else json_response({"error": f"unknown {action}"}, 404)
