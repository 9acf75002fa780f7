# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The project ID every DCS URL needs: given, or discovered from IAM once per task.

Private to this collection: this interface may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from urllib.parse import quote

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ProjectDiscoveryError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean
from ansible_collections.hwc.dcs.plugins.module_utils._validation import check_id


def _expect_projects(body):
    if not isinstance(body.get("projects"), list):
        raise ValueError("no 'projects' list")


def discover_project_id(client, deadline):
    """Look the region's project up with ``GET /v3/projects?name=<region>``; exactly one must match."""
    settings = client.settings
    region = settings.region
    url = "%s/v3/projects?name=%s" % (settings.iam_endpoint, quote(region, safe=""))
    body = client.request("GET", url, deadline=deadline, max_retries=settings.api_retries, validate=_expect_projects,
                          label="iam")
    projects = [p for p in body["projects"] if isinstance(p, dict) and p.get("name") == region]
    if len(projects) != 1:
        listed = " (%s)" % clean(", ".join(str(p.get("id")) for p in projects[:10])) if projects else ""
        advice = "" if projects else ", and check that region is right and the credentials belong to an account with that region"
        raise ProjectDiscoveryError(
            "Project discovery for region %s at %s found %d projects named %s%s; exactly one is needed. "
            "Give project_id (or HUAWEICLOUD_SDK_PROJECT_ID) explicitly%s."
            % (region, settings.iam_endpoint, len(projects), region, listed, advice))
    project_id = projects[0].get("id")
    try:
        return check_id(project_id if isinstance(project_id, str) else "", "project ID returned by IAM")
    except ValidationError as error:
        raise ProjectDiscoveryError(error.message) from None


class ProjectId:
    """The task's project ID: the configured one, or discovered on first use and then kept.

    ``known``: the ID an earlier slice of the same task discovered (see ``_slices``)."""

    def __init__(self, client, known=None):
        self._client = client
        self._lock = threading.Lock()
        self._value = client.settings.project_id or known

    @property
    def known(self):
        """The project ID if it is known without a request, else None."""
        return self._value

    def get(self, deadline):
        with self._lock:
            if not self._value:
                self._value = discover_project_id(self._client, deadline)
            return self._value
