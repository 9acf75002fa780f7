# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP client every hwc.dcs module uses to talk to Huawei Cloud.

Private to this collection: this interface may change without notice.

All HTTP goes through ``ApiClient.request()``: signing (afresh for every attempt),
timeouts clamped to the caller's deadline, the retry policy, clock-skew correction
and the mapping of every failure to a typed ``DcsError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils
import json
import random
import re
import threading
import time
from collections import Counter
from urllib.parse import quote, urlsplit

from ansible_collections.hwc.dcs.plugins.module_utils import _signer as signer
from ansible_collections.hwc.dcs.plugins.module_utils._errors import (
    ApiError,
    ClockSkewError,
    MissingLibraryError,
    ProjectDiscoveryError,
    TransportError,
)
from ansible_collections.hwc.dcs.plugins.module_utils._validation import check_id

try:
    import requests
    import requests.adapters
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the module's missing-library path
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

USER_AGENT = "hwc.dcs-ansible-collection"
BODY_EXCERPT = 200

# Statuses worth another attempt, and why.
RETRYABLE_STATUS = {
    429: "throttled",  # APIGW.0308: the gateway's rate limit; it asks us to slow down, not to stop.
    500: "HTTP 500",  # DCS.5000 and gateway internal errors are transient far more often than not.
    502: "HTTP 502",  # a gateway or load balancer lost its upstream for a moment.
    503: "HTTP 503",  # service unavailable: maintenance window or overload, by definition temporary.
    504: "HTTP 504",  # the gateway timed out on the backend; a GET can safely be asked again.
}
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
THROTTLE_FLOOR = 2.0  # vendor advice: wait 2 to 5 s after a 429 that names no Retry-After.
SKEW_LIMIT = 15 * 60  # the gateway rejects an X-Sdk-Date further than this from its clock.


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class Deadline:
    """A point in monotonic time that no wait may pass. ``seconds=None`` means no deadline."""

    def __init__(self, seconds, clock=time.monotonic):
        self._clock = clock
        self.at = None if seconds is None else clock() + seconds

    def remaining(self):
        return None if self.at is None else self.at - self._clock()

    def clamp(self, seconds):
        """``seconds`` limited to the time left (never negative)."""
        left = self.remaining()
        return seconds if left is None else max(0.0, min(seconds, left))


def parse_retry_after(value, now):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent or unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _excerpt(text):
    text = " ".join((text or "").split())
    return text if len(text) <= BODY_EXCERPT else text[:BODY_EXCERPT] + "..."


class RetryLog:
    """Thread-safe count of requests and retries, for the result and the warning."""

    def __init__(self):
        self._lock = threading.Lock()
        self.requests = Counter()
        self.reasons = Counter()

    def sent(self, label):
        with self._lock:
            self.requests[label] += 1

    def retried(self, reason):
        with self._lock:
            self.reasons[reason] += 1

    @property
    def retries(self):
        return sum(self.reasons.values())

    def summary(self):
        if not self.reasons:
            return None
        parts = ", ".join("%d x %s" % (count, reason) for reason, count in sorted(self.reasons.items()))
        return "%d API request%s had to be retried (%s). The API was throttling or unstable during this task." % (
            self.retries, "" if self.retries == 1 else "s", parts)


class SharedBackoff:
    """A 'not before' time shared by every thread of one client: a 429 slows them all down."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0

    def hold(self, seconds):
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def pending(self):
        with self._lock:
            return max(0.0, self._not_before - self._clock())


class _Transient(Exception):
    """Internal: an attempt failed in a way worth retrying."""

    def __init__(self, error, reason, delay=None):
        super(_Transient, self).__init__(reason)
        self.error = error
        self.reason = reason
        self.delay = delay


class ApiClient:
    """Signed, retrying HTTP client for one set of ``ConnectionSettings``.

    ``clock`` (monotonic), ``sleep``, ``now`` (aware UTC datetime) and ``rng`` are
    injectable so that tests control time.
    """

    def __init__(self, settings, session=None, clock=time.monotonic, sleep=time.sleep, now=utcnow,
                 rng=random.random, pool_size=50):
        if not HAS_REQUESTS:
            raise MissingLibraryError("requests", "The Python library requests is required.")
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.rng = rng
        self.log = RetryLog()
        self.backoff = SharedBackoff(clock)
        self.warnings = []
        self._lock = threading.Lock()
        self._skew = 0.0
        self._project_id = settings.project_id
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session
        if settings.ca_path:
            self.verify = settings.ca_path
        else:
            self.verify = bool(settings.validate_certs)
            if not self.verify:
                self.warnings.append(
                    "validate_certs is false: the endpoint's TLS certificate is not verified, so the "
                    "connection can be intercepted. Use ca_path to trust a private CA instead.")
                try:
                    import urllib3
                    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
                except Exception:  # pragma: no cover - only silences a duplicate warning
                    pass

    # -- the one method every request goes through ------------------------------------

    def request(self, method, url, project_scoped=True, deadline=None, max_retries=None,
                validate=None, label="api", idempotent=True):
        """Send a signed request and return the decoded JSON body of a 2xx answer.

        ``max_retries`` bounds the retries (``None``: only ``deadline`` bounds them);
        ``validate(body)`` raises ValueError when a 2xx body is not the expected shape.
        Raises ``ApiError`` or ``TransportError`` when the request cannot succeed.
        """
        deadline = deadline or Deadline(None, self.clock)
        retries = 0
        skew_corrected = False
        while True:
            self._wait_for_backoff(deadline)
            try:
                return self._attempt(method, url, project_scoped, deadline, validate, label, idempotent)
            except _Transient as transient:
                last = transient
            except ApiError as error:
                if skew_corrected or not self._correct_skew(error):
                    if skew_corrected and _is_expired(error):
                        raise ClockSkewError(
                            "The API gateway still rejects the signature as expired after correcting the "
                            "local clock by %+.0f seconds: the local clock is off by about %.0f seconds. "
                            "Fix time synchronisation (NTP) on the host that runs the module."
                            % (self._skew, abs(self._skew)),
                            status_code=error.status_code, error_code=error.error_code,
                            error_msg=error.error_msg, request_id=error.request_id) from error
                    raise
                # One more attempt, signed with the corrected time; not a retry of the same signature.
                skew_corrected = True
                continue
            retries += 1
            delay = self._delay(retries, last)
            if last.reason == "throttled":
                # Shared: every thread of this client slows down, even if this request gives up.
                self.backoff.hold(delay)
            if max_retries is not None and retries > max_retries:
                raise self._give_up(last, "after %d attempts" % retries if max_retries else None)
            left = deadline.remaining()
            if left is not None and delay >= left:
                raise self._give_up(last, "with no time left before the deadline for another attempt")
            self.log.retried(last.reason)
            if last.reason != "throttled":
                self.sleep(delay)

    def _give_up(self, transient, why):
        """The error to raise when no more attempts are made; ``retry_reason`` says it was transient."""
        error = transient.error
        error.retry_reason = transient.reason
        if why:
            error.message = "%s (gave up %s)" % (error.message, why)
        return error

    def _delay(self, retries, transient):
        """Exponential backoff with full jitter; Retry-After wins; at least 2 s after a bare 429."""
        if transient.delay is not None:
            return transient.delay
        delay = self.rng() * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** retries))
        if transient.reason == "throttled":
            delay = max(THROTTLE_FLOOR, delay)
        return delay

    def _wait_for_backoff(self, deadline):
        pending = self.backoff.pending()
        while pending > 0:
            self.sleep(deadline.clamp(pending))
            left = deadline.remaining()
            if left is not None and left <= 0:
                return
            pending = self.backoff.pending()

    def _headers(self, project_scoped):
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if project_scoped:
            headers["X-Project-Id"] = self.project_id
        if self.settings.security_token:
            headers["X-Security-Token"] = self.settings.security_token
        return headers

    def _signing_time(self):
        with self._lock:
            skew = self._skew
        return self.now() + datetime.timedelta(seconds=skew)

    def _attempt(self, method, url, project_scoped, deadline, validate, label, idempotent):
        settings = self.settings
        headers = signer.sign(method, url, self._headers(project_scoped), b"",
                              settings.access_key, settings.secret_key, now=self._signing_time())
        # Never wait longer than api_timeout, nor much past the deadline (one second floor so
        # that a last poll at the deadline can still complete).
        timeout = max(min(1.0, settings.api_timeout), deadline.clamp(settings.api_timeout))
        parts = urlsplit(url)
        host, netloc = parts.hostname, parts.netloc
        self.log.sent(label)
        try:
            response = self.session.request(method, url, headers=headers, timeout=timeout,
                                            verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            # Certificate problems do not fix themselves: never retried.
            raise TransportError(
                "TLS certificate verification failed for %s (%s). If the endpoint uses a private CA, "
                "set ca_path to its PEM bundle (or REQUESTS_CA_BUNDLE)." % (host, _ssl_reason(exc))) from None
        except requests.exceptions.ConnectTimeout:
            # Congestion or a slow load balancer; the request never arrived, so retrying is safe.
            raise _Transient(TransportError(
                "Connecting to %s timed out after %.1f s (api_timeout)." % (netloc, timeout)), "connect timeout")
        except requests.exceptions.ReadTimeout:
            # The answer is late; a GET changes nothing, so asking again is safe.
            error = TransportError("%s %s got no answer within %.1f s (api_timeout)." % (method, url, timeout))
            if not idempotent:
                raise error from None
            raise _Transient(error, "read timeout")
        except requests.exceptions.ConnectionError as exc:
            # Refused or reset: the endpoint restarted or a balancer dropped the connection.
            error = TransportError("Cannot reach %s: %s." % (netloc, _connection_reason(exc)))
            if not idempotent:
                raise error from None
            raise _Transient(error, "connection error")
        except requests.exceptions.RequestException as exc:
            raise TransportError("%s %s failed: %s." % (method, url, type(exc).__name__)) from None
        return self._handle(method, url, response, validate)

    def _handle(self, method, url, response, validate):
        status = response.status_code
        request_id = response.headers.get("X-Request-Id")
        text = response.text
        if 200 <= status < 300:
            try:
                body = json.loads(text)
                if not isinstance(body, dict):
                    raise ValueError("not a JSON object")
                if validate:
                    validate(body)
                return body
            except ValueError as exc:
                # A proxy's HTML page or a truncated body: the next answer is usually whole.
                raise _Transient(ApiError(
                    "%s %s answered HTTP %d with an unusable body (%s; request id %s): %r"
                    % (method, url, status, exc, request_id or "none", _excerpt(text)),
                    status_code=status, request_id=request_id), "unusable response body")
        error = _api_error(method, url, status, text, request_id)
        if status in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.now())
            raise _Transient(error, RETRYABLE_STATUS[status], retry_after)
        error.date_header = response.headers.get("Date")
        raise error

    def _correct_skew(self, error):
        """After a 'signature expired' 401, learn the clock offset from the Date header. True to try again."""
        if error.status_code != 401 or not _is_expired(error):
            return False
        try:
            server = email.utils.parsedate_to_datetime(getattr(error, "date_header", None) or "")
        except (TypeError, ValueError, IndexError):
            server = None
        if server is None:
            return False
        if server.tzinfo is None:
            server = server.replace(tzinfo=datetime.timezone.utc)
        offset = (server - self.now()).total_seconds()
        if abs(offset) < 60:
            return False  # the clocks agree: the expiry has another cause, do not retry a 401
        with self._lock:
            self._skew = offset
        self.warnings.append(
            "The local clock is %.0f seconds %s the API gateway's clock; requests were signed with "
            "the gateway's time instead. Fix time synchronisation (NTP) on this host."
            % (abs(offset), "behind" if offset > 0 else "ahead of"))
        return True

    # -- helpers built on request() ---------------------------------------------------

    @property
    def project_id(self):
        if not self._project_id:
            raise ProjectDiscoveryError("Internal error: the project ID is not known yet; call discover_project_id() first.")
        return self._project_id

    def discover_project_id(self, deadline=None, max_retries=None):
        """Resolve the project ID from IAM by region name, unless it is already known."""
        if self._project_id:
            return self._project_id
        region = self.settings.region
        url = "%s/v3/projects?name=%s" % (self.settings.iam_endpoint, quote(region, safe=""))
        if max_retries is None:
            max_retries = self.settings.api_retries
        body = self.request("GET", url, project_scoped=False, deadline=deadline, max_retries=max_retries,
                            validate=_expect_projects, label="iam")
        projects = [p for p in body["projects"] if isinstance(p, dict) and p.get("name") == region]
        if len(projects) != 1:
            raise ProjectDiscoveryError(
                "Project discovery for region %s at %s found %d projects named %s%s; exactly one is needed. "
                "Give project_id (or HUAWEICLOUD_SDK_PROJECT_ID) explicitly%s."
                % (region, self.settings.iam_endpoint, len(projects), region,
                   " (%s)" % ", ".join(str(p.get("id")) for p in projects) if projects else "",
                   "" if projects else ", and check that region is right and the credentials belong to an account with that region"))
        project_id = str(projects[0].get("id") or "")
        check_id(project_id, "project ID returned by IAM")
        self._project_id = project_id
        return project_id

    def dcs_url(self, *segments):
        """A DCS URL for the known project: ``dcs_url('jobs', job_id)`` -> ``{endpoint}/v2/{project}/jobs/{id}``."""
        path = "/".join(quote(str(s), safe="") for s in (self.project_id,) + segments)
        return "%s/v2/%s" % (self.settings.endpoint, path)


def _expect_projects(body):
    if not isinstance(body.get("projects"), list):
        raise ValueError("no 'projects' list")


def _is_expired(error):
    return "expired" in (error.error_msg or "").lower()


def _ssl_reason(exc):
    """The OpenSSL reason from a requests SSLError, e.g. 'self-signed certificate in certificate chain'."""
    text = str(exc)
    match = re.search(r"certificate verify failed: (.+?)\.? *\(_ssl", text) or re.search(r"\] ([^()'\"]+)", text)
    return _excerpt(match.group(1)).strip() if match else "TLS handshake failed"


def _connection_reason(exc):
    text = str(exc)
    for known in ("Connection refused", "Connection reset", "Name or service not known", "Remote end closed connection",
                  "timed out", "No route to host", "Temporary failure in name resolution", "Connection aborted"):
        if known in text:
            return known.lower()
    return type(exc).__name__


def _api_error(method, url, status, text, request_id):
    """Map an error answer (gateway, DCS or IAM shape, or not JSON at all) to an ApiError."""
    error_code = error_msg = None
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):  # IAM's shape
            inner = body["error"]
            error_code, error_msg = inner.get("code"), inner.get("message")
        else:
            error_code = body.get("error_code", body.get("code"))
            error_msg = body.get("error_msg", body.get("message"))
        request_id = request_id or body.get("request_id")
    error_code = None if error_code is None else str(error_code)
    error_msg = None if error_msg is None else str(error_msg)
    if error_code or error_msg:
        detail = "%s: %s" % (error_code or "no error code", error_msg or "no error message")
    else:
        detail = "non-JSON body %r" % _excerpt(text) if text.strip() else "empty body"
    message = "%s %s failed with HTTP %d, %s (request id %s).%s" % (
        method, url, status, detail, request_id or "none", _hint(status, error_code, error_msg))
    return ApiError(message, status_code=status, error_code=error_code, error_msg=error_msg,
                    request_id=request_id)


def _hint(status, error_code, error_msg):
    if status == 401 and "expired" in (error_msg or "").lower():
        return (" The request's signing time is more than 15 minutes away from the gateway's clock:"
                " check the local clock (NTP).")
    if status == 401:
        return (" Check the access key and secret key (and the security token for temporary credentials);"
                " after 5 failed authentications in a row the gateway locks the access key for 5 minutes.")
    if status == 403:
        return " The credentials are valid but not allowed to do this: check the IAM user's DCS permissions and the project."
    if status == 404 and (error_code or "").startswith("APIGW"):
        return " No such API at this endpoint: check region and endpoint."
    if status == 429:
        return " The API is throttling requests; raise wait_sleep or lower the number of parallel tasks."
    return ""
