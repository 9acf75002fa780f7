# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The API client: signed JSON requests, retried by the policy, within the task's deadline.

Private to this collection: this interface may change without notice.

Every request of every module goes through ``ApiClient.request()``: the body is encoded as JSON,
the request is signed afresh for every attempt (with the gateway's time once a clock skew is
known), sent by the transport within its time budget, and the answer is decoded or mapped to a
typed error. Transient failures are retried as the ``RetryPolicy`` says; a request that changes
something (``idempotent=False``) is sent again only when the failure proves it never reached the
service.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.hwc.dcs.plugins.module_utils import _signer as signer
from ansible_collections.hwc.dcs.plugins.module_utils._answers import api_error, decode_object, is_expired, unusable
from ansible_collections.hwc.dcs.plugins.module_utils._deadline import Deadline, utcnow
from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, TransportError
from ansible_collections.hwc.dcs.plugins.module_utils._retry import NOT_DELIVERED, RetryLog, RetryPolicy, SharedBackoff
from ansible_collections.hwc.dcs.plugins.module_utils._skew import SkewCorrector
from ansible_collections.hwc.dcs.plugins.module_utils._transport import Transport

USER_AGENT = "hwc.dcs-ansible-collection"


class ApiClient:
    """Signed, retrying JSON client for one set of ``ConnectionSettings``.

    ``clock`` (monotonic), ``sleep`` and ``now`` (aware UTC datetime) are injectable so that tests
    control time; ``transport`` so that they can count what is sent.
    """

    def __init__(self, settings, transport=None, policy=None, clock=time.monotonic, sleep=time.sleep, now=utcnow):
        self.settings = settings
        self.transport = transport or Transport(settings)
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.log = RetryLog()
        self.backoff = SharedBackoff(clock)
        self.skew = SkewCorrector(now)

    @property
    def warnings(self):
        return list(self.skew.warnings)

    def request(self, method, url, body=None, project_id=None, deadline=None, max_retries=None, validate=None,
                label="api", idempotent=True, policy=None):
        """Send a signed request and return the decoded JSON object of a 2xx answer.

        ``body`` (a dict) is sent as JSON; ``project_id`` adds the ``X-Project-Id`` header;
        ``max_retries`` bounds the retries (None: only ``deadline`` bounds them); ``validate(body)``
        raises ValueError when a 2xx body is not the expected shape; ``policy`` overrides the
        client's retry policy for this request. Raises ``ApiError`` or ``TransportError``.
        """
        deadline = deadline or Deadline(None, self.clock)
        policy = policy or self.policy
        payload = b"" if body is None else json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")
        retries = 0
        corrected = False
        while True:
            self._wait_for_backoff(deadline)
            try:
                return self._attempt(method, url, payload, project_id, deadline, validate, label, policy, idempotent)
            except ApiError as error:
                if is_expired(error):
                    if corrected:
                        raise self.skew.still_expired(error) from error
                    if self.skew.learn(error):
                        corrected = True  # one more attempt, signed with the gateway's time: not a retry
                        continue
                if not _may_retry(error, idempotent, policy):
                    raise
                last = error
            except TransportError as error:
                if not _may_retry(error, idempotent, policy):
                    raise
                last = error
            retries += 1
            delay = policy.delay(retries, last.retry_reason, getattr(last, "retry_after", None))
            if last.retry_reason == "throttled":
                # Shared: every thread of this client slows down, even if this request gives up.
                self.backoff.hold(delay)
            if max_retries is not None and retries > max_retries:
                raise _give_up(last, "after %d attempts" % retries if max_retries else None)
            left = deadline.remaining()
            if left is not None and delay >= left:
                raise _give_up(last, "with no time left before the deadline for another attempt")
            self.log.retried(last.retry_reason)
            if last.retry_reason != "throttled":
                self.sleep(delay)

    def _wait_for_backoff(self, deadline):
        pending = self.backoff.pending()
        while pending > 0:
            self.sleep(deadline.clamp(pending))
            if deadline.passed():
                return
            pending = self.backoff.pending()

    def _headers(self, project_id):
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if project_id:
            headers["X-Project-Id"] = project_id
        if self.settings.security_token:
            headers["X-Security-Token"] = self.settings.security_token
        return headers

    def _attempt(self, method, url, payload, project_id, deadline, validate, label, policy, idempotent):
        settings = self.settings
        headers = signer.sign(method, url, self._headers(project_id), payload, settings.access_key, settings.secret_key,
                              now=self.skew.signing_time())
        self.log.sent(label)
        response = self.transport.send(method, url, headers, payload, deadline.request_budget(settings.api_timeout),
                                       fresh=not idempotent)
        if 200 <= response.status < 300:
            try:
                body = decode_object(response.body)
                if validate:
                    validate(body)
            except ValueError as exc:
                raise unusable(method, url, response.status, str(exc), response.header("X-Request-Id"), response.body) from None
            return body
        raise api_error(method, url, response, policy, self.now)


def _may_retry(error, idempotent, policy):
    """Whether another attempt is allowed: transient, and for a change, provably not delivered."""
    if error.retry_reason is None:
        return False
    if idempotent:
        return True
    if isinstance(error, TransportError):
        return not error.maybe_sent
    return error.retry_reason in NOT_DELIVERED or error.error_code in policy.error_codes


def _give_up(error, why):
    """The error to raise when no more attempts are made: the same error, saying why it was the last."""
    if not why:
        return error
    return error.derive(message="%s (gave up %s)" % (error.message, why))
