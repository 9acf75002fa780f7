# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport: one HTTP exchange, bounded in time and size, and nothing else.

Private to this collection: this interface may change without notice.

``Transport.send()`` sends one request and returns the status, headers and body of the answer,
or raises a ``TransportError`` that says what went wrong, whether another attempt may help
(``retry_reason``) and whether the request may have reached the server (``maybe_sent``).

- **Time**: a watchdog shuts the socket down when the request's budget is spent, so a server that
  trickles its headers or body, or never ends its body, cannot hold the task past its deadline
  (``requests``' own timeout bounds each socket read, not the exchange).
- **Size**: the body is read as a stream and decoded here (gzip, deflate), and the decoded size
  is checked as it grows, so a compression bomb costs at most the limit.
- **Authentication**: only the signer's headers authenticate a request. The session ignores
  ``~/.netrc`` and every other setting from the environment; proxies and the CA bundle come from
  ``ConnectionSettings``, which read them from the one environment of the task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.hwc.dcs.plugins.module_utils._body import BodyError, read_body
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError, TransportError
from ansible_collections.hwc.dcs.plugins.module_utils._proxies import proxies_for
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean
from ansible_collections.hwc.dcs.plugins.module_utils._watchdog import WATCHDOG, current_alarm

try:
    import requests
    import requests.adapters
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the module's missing-library path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object

MAX_BODY = 1024 * 1024  # bytes of decoded body; far above any real DCS answer (a job is ~300 bytes).
# The watchdog fires this long after the sockets' own timeout, so that an answer that is merely late
# (no byte for the whole budget) is reported as such, and the watchdog ends only the trickles.
WATCHDOG_MARGIN = 0.25
ACCEPT_ENCODING = "gzip, deflate"
# Connection failures that prove the request was never sent.
_NOT_CONNECTED = ("NewConnectionError", "NameResolutionError", "ConnectionRefusedError", "ConnectTimeoutError",
                  "gaierror")


class Response:
    """An HTTP answer: ``status``, ``headers`` (case-insensitive) and the decoded ``body`` bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        """A header's value as one clean line of text, or None."""
        return clean(self.headers.get(name), 200) or None


def _watch(connection):
    alarm = current_alarm()
    if alarm is not None:
        alarm.attach(connection)


class _Watched(object):
    """Mixed into urllib3's connections: registers with the running request's alarm when it connects
    or sends, before (so that a connection in progress is known) and after (its socket then exists)."""

    def connect(self):
        _watch(self)
        try:
            return super(_Watched, self).connect()
        finally:
            _watch(self)

    def request(self, *args, **kwargs):  # pylint: disable=arguments-differ,signature-differs
        _watch(self)
        try:
            return super(_Watched, self).request(*args, **kwargs)
        finally:
            _watch(self)


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(requests.adapters.HTTPAdapter if HAS_REQUESTS else object):
    """An HTTPAdapter whose connections (direct or through a proxy) are watched."""

    def init_poolmanager(self, *args, **kwargs):  # pylint: disable=signature-differs
        super(_Adapter, self).init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super(_Adapter, self).proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


def new_session(pool_size=50):
    """A requests session that takes nothing from the environment: no netrc, no proxies, no CA bundle."""
    session = requests.Session()
    session.trust_env = False
    session.headers.clear()
    adapter = _Adapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class Transport:
    """Sends one request at a time per thread; safe to share between the threads of one task."""

    def __init__(self, settings, session=None, max_body=MAX_BODY, pool_size=50):
        self.settings = settings
        self.max_body = max_body
        self.session = session or new_session(pool_size)
        if settings.verify is False:
            _silence_insecure_warning()

    def send(self, method, url, headers, body, budget, fresh=False):
        """One exchange within ``budget`` seconds. Returns a ``Response``; raises ``TransportError``.

        ``fresh`` sends on a new connection instead of an idle pooled one, which the server may be
        closing at that very moment: for a request that must not be sent twice, a failure must mean
        something about the request, not about an old connection.
        """
        headers = dict(headers)
        headers.setdefault("Accept-Encoding", ACCEPT_ENCODING)
        session = new_session(1) if fresh else self.session
        alarm = WATCHDOG.arm(budget + WATCHDOG_MARGIN)
        response = None
        try:
            response = session.request(
                method, url, headers=headers, data=body or None, timeout=(max(budget, 0.001), max(budget, 0.001)),
                verify=self.settings.verify, allow_redirects=False, stream=True,
                proxies=proxies_for(url, self.settings.proxy_environ))
            content = self._read_body(response, method, url)
            if alarm.expired:  # the watchdog cut a body that has no length: what was read is not the answer
                raise _too_slow(method, url, budget)
            return Response(response.status_code, response.headers, content)
        except DcsError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            # Whatever the HTTP stack raises becomes a TransportError.
            if alarm.expired:
                raise _too_slow(method, url, budget) from None
            raise _transport_error(exc, method, url, budget, answered=response is not None) from None
        finally:
            WATCHDOG.disarm(alarm)
            if response is not None:
                response.close()
            if alarm.expired:
                alarm.close_connections()  # shut down by the watchdog: never back into the pool
            if fresh:
                session.close()

    def _read_body(self, response, method, url):
        encoding = response.headers.get("Content-Encoding")
        try:
            return read_body(lambda size: response.raw.read(size, decode_content=False), encoding, self.max_body)
        except BodyError as error:
            if error.kind == "too large":
                raise TransportError(
                    "The answer to %s %s is larger than the %d byte limit (measured after decompression): it is "
                    "not a DCS API answer. Check the endpoint, any proxy in between, and the network."
                    % (method, url, self.max_body), maybe_sent=True) from None
            if error.kind == "encoding":
                raise TransportError(
                    "The answer to %s %s uses Content-Encoding %s, which was not asked for (only %s): check any proxy "
                    "in between." % (method, url, clean(encoding, 40), ACCEPT_ENCODING), maybe_sent=True) from None
            raise _broken(method, url, encoding) from None


def _broken(method, url, encoding):
    return TransportError(
        "The answer to %s %s is broken: its %s data is invalid or cut short (the connection dropped mid-body?)."
        % (method, url, clean(encoding, 40)), retry_reason="broken answer", maybe_sent=True)


def _too_slow(method, url, budget):
    return TransportError(
        "%s %s did not complete within %.1f s (api_timeout, or the time left before the task's deadline): the server "
        "answers too slowly or never finishes its answer." % (method, url, budget),
        retry_reason="timeout", maybe_sent=True)


def _chain(exc):
    """The exception and its causes, contexts and urllib3 ``reason``s, without loops."""
    seen, todo = [], [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is other for other in seen):
            continue
        seen.append(current)
        todo.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
        todo.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return seen


def _transport_error(exc, method, url, budget, answered=False):
    """Map anything the HTTP stack raised to a TransportError."""
    chain = _chain(exc)
    names = set(type(e).__name__ for e in chain)
    text = " ".join(str(e) for e in chain)
    where = _netloc(url)
    if HAS_REQUESTS and isinstance(exc, requests.exceptions.SSLError):
        # Certificate problems do not fix themselves: never retried.
        return TransportError(
            "TLS certificate verification failed for %s (%s). If the endpoint uses a private CA, set ca_path to "
            "its PEM bundle (or REQUESTS_CA_BUNDLE)." % (where, _ssl_reason(text)))
    if "ConnectTimeoutError" in names or (HAS_REQUESTS and isinstance(exc, requests.exceptions.ConnectTimeout)):
        return TransportError("Connecting to %s timed out after %.1f s (api_timeout)." % (where, budget),
                              retry_reason="connect timeout")
    if names.intersection(_NOT_CONNECTED):
        return TransportError("Cannot reach %s: %s." % (where, _connection_reason(text, "connection refused")),
                              retry_reason="connection refused")
    if not answered and HAS_REQUESTS and isinstance(exc, requests.exceptions.ConnectionError):
        # Reset or aborted before the answer began: the request may have arrived.
        return TransportError("Cannot reach %s: %s." % (where, _connection_reason(text, "connection dropped")),
                              retry_reason="connection error", maybe_sent=True)
    if HAS_REQUESTS and isinstance(exc, requests.exceptions.ReadTimeout):
        return TransportError("%s %s got no answer within %.1f s (api_timeout)." % (method, url, budget),
                              retry_reason="read timeout", maybe_sent=True)
    if HAS_REQUESTS and isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                                         requests.exceptions.URLRequired, requests.exceptions.MissingSchema)):
        return TransportError("%s %s could not be sent: %s." % (method, url, type(exc).__name__))
    # Resets, a connection closed mid-answer, chunked-encoding and protocol errors, an answer that is
    # not valid HTTP: the server or something in between dropped the exchange; the next one usually works.
    return TransportError(
        "%s %s failed: the connection dropped or the answer was not valid HTTP (%s)."
        % (method, url, _connection_reason(text, type(exc).__name__)), retry_reason="connection error", maybe_sent=True)


def _netloc(url):
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0]


_KNOWN_REASONS = ("Connection refused", "Connection reset", "Name or service not known", "Remote end closed connection",
                  "No route to host", "Temporary failure in name resolution", "Connection aborted",
                  "got more than 100 headers", "line too long", "Connection broken", "IncompleteRead",
                  "InvalidChunkLength", "BadStatusLine")


def _connection_reason(text, default):
    for known in _KNOWN_REASONS:
        if known.lower() in text.lower():
            return known.lower()
    return clean(default, 80)


def _ssl_reason(text):
    """The OpenSSL reason, e.g. 'self-signed certificate in certificate chain'."""
    marker = "certificate verify failed: "
    if marker in text:
        reason = text.split(marker, 1)[1].split("(_ssl", 1)[0]
        return clean(reason.strip().rstrip(".").strip(), 200)
    return "TLS handshake failed"


def _silence_insecure_warning():
    """validate_certs: false already gives one warning; urllib3 would add one per request on stderr."""
    try:
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except Exception:  # pylint: disable=broad-except  # pragma: no cover - only silences a duplicate warning
        pass
