"""A request that raised → retry, broken or unverifiable, with a one-line detail."""

from __future__ import annotations

import http
import socket
import ssl

import requests
import urllib3

from .pinned import Unpinned

__all__ = ["REQUEST_ERRORS", "UNVERIFIABLE", "cause_chain", "classify_failure"]


def cause_chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        stack.append(e.__cause__)
        stack.append(e.__context__)
        for arg in getattr(e, "args", ()):
            if isinstance(arg, BaseException):
                stack.append(arg)
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return seen


UNVERIFIABLE = {
    401: "login required",
    403: "access denied, probably a bot wall",
    451: "unavailable for legal reasons",
    999: "request denied, a bot wall",
}
REQUEST_ERRORS = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError)
RESET_ERRORS = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    urllib3.exceptions.ProtocolError,
    requests.exceptions.ChunkedEncodingError,
)
TIMEOUT_ERRORS = (
    requests.exceptions.Timeout,
    urllib3.exceptions.TimeoutError,
    TimeoutError,
    socket.timeout,
)


def classify_failure(exc: BaseException, deadline_hit: bool, timeout: float) -> tuple[str, str]:
    """``(kind, detail)`` for a request that raised; kind is 'retry', 'broken' or
    'unverifiable'."""
    chain = cause_chain(exc)

    def has(*types: type) -> bool:
        return any(isinstance(e, types) for e in chain)

    if deadline_hit:
        return "retry", f"timed out (no complete answer within {2 * timeout:g} s)"
    if has(Unpinned):
        return "broken", f"refused: {exc}"
    if has(ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
        if verify is not None:
            return "broken", f"TLS: certificate verify failed: {verify.verify_message or verify}"
        if "doesn't match" in str(exc) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return "broken", "TLS: certificate verify failed: the name does not match"
        return "unverifiable", f"TLS error: {str(exc)[:160]}"
    if has(ConnectionRefusedError):
        return "broken", "connection refused"
    if has(*TIMEOUT_ERRORS):
        connect = has(requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
        return "retry", f"{'connect timed out' if connect else 'timed out'} after {timeout:g} s"
    if has(*RESET_ERRORS):
        return "retry", "connection reset by the server"
    if has(urllib3.exceptions.NewConnectionError):
        why = next((e.strerror for e in chain if isinstance(e, OSError) and e.strerror), None)
        return "unverifiable", f"connection failed: {why or 'cannot connect'}"
    return "unverifiable", f"request failed: {type(exc).__name__}: {str(exc)[:160]}"
