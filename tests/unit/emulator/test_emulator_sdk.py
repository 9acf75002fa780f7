# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The official SDK client (huaweicloudsdkdcs) as a peer of the emulator.

If the emulator accepts what the official SDK sends and rejects what the real gateway
rejects, with the same status and error shape, it judges requests as the real service does.
"""

from __future__ import annotations

import time
import uuid

import pytest

from ansible_collections.hwc.dcs.tests.support.certs import make_certificates
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK, TMP_AK, TMP_SK, TOKEN
from ansible_collections.hwc.dcs.tests.support.emulator import emulator_config
from ansible_collections.hwc.dcs.tests.support.http_server import raw_request

pytest.importorskip("huaweicloudsdkcore")
pytest.importorskip("huaweicloudsdkdcs")

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.region.region import Region  # noqa: E402
from huaweicloudsdkdcs.v2 import DcsClient, ShowJobInfoRequest  # noqa: E402


def client_for(emu, credentials, region="cn-north-4", http_config=None):
    builder = DcsClient.new_builder().with_credentials(credentials).with_region(Region(region, emu.url))
    if http_config is not None:
        builder = builder.with_http_config(http_config)
    return builder.build()


def show(client, job_id):
    return client.show_job_info(ShowJobInfoRequest(job_id=job_id)).to_json_object()


@pytest.fixture
def sdk_emulator(make_emulator):
    # The emulator checks with its own verifier and, here, with the official Signer too.
    return make_emulator(emulator_config(verify_with_sdk=True))


def test_sdk_queries_a_job(sdk_emulator):
    client = client_for(sdk_emulator, BasicCredentials(AK, SK, PROJECT))
    job = show(client, "job-done")
    assert job["job_id"] == "job-done"
    assert job["status"] == "SUCCESS"
    assert job["job_type"] == "masterStandbySwapJob"
    assert job["begin_time"].isdigit() and job["end_time"] == job["begin_time"]
    entry = sdk_emulator.requests[-1]
    assert entry["status"] == 200
    assert entry["sdk_verified"] is True
    assert entry["headers"]["x-project-id"] == PROJECT


def test_sdk_follows_a_lifecycle(sdk_emulator):
    client = client_for(sdk_emulator, BasicCredentials(AK, SK, PROJECT))
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        job = show(client, "job-success")
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] == "SUCCESS":
            break
        time.sleep(0.05)
    assert seen == ["INIT", "RUNNING", "SUCCESS"]
    assert int(job["end_time"]) - int(job["begin_time"]) == 1000


def test_sdk_failed_job_carries_its_reason(sdk_emulator):
    client = client_for(sdk_emulator, BasicCredentials(AK, SK, PROJECT))
    assert show(client, "job-fail")["status"] == "RUNNING"
    time.sleep(0.3)
    job = show(client, "job-fail")
    assert job["status"] == "FAIL"
    assert job["fail_reason"] == "DCS.4999: switchover aborted by the test"
    assert job["job_type"] == "modifyClientIpTransJob"


def test_sdk_temporary_credentials(sdk_emulator):
    creds = BasicCredentials(TMP_AK, TMP_SK, PROJECT).with_security_token(TOKEN)
    job = show(client_for(sdk_emulator, creds), "job-done")
    assert job["status"] == "SUCCESS"
    entry = sdk_emulator.requests[-1]
    assert entry["headers"]["x-security-token"] == TOKEN
    assert "x-security-token" in entry["headers"]["authorization"]


def _auth_error(client, job_id="job-done"):
    with pytest.raises(ClientRequestException) as info:
        show(client, job_id)
    return info.value


def test_sdk_temporary_credentials_without_token_are_rejected(sdk_emulator):
    err = _auth_error(client_for(sdk_emulator, BasicCredentials(TMP_AK, TMP_SK, PROJECT)))
    assert err.status_code == 401
    assert err.error_code == "APIGW.0301"
    assert "security token missing" in err.error_msg


def test_sdk_wrong_token_is_rejected(sdk_emulator):
    creds = BasicCredentials(TMP_AK, TMP_SK, PROJECT).with_security_token(TOKEN + "x")
    err = _auth_error(client_for(sdk_emulator, creds))
    assert (err.status_code, err.error_code) == (401, "APIGW.0301")
    assert err.error_msg == "Incorrect IAM authentication information: decrypt token fail"


def test_sdk_unknown_ak_is_rejected(sdk_emulator):
    err = _auth_error(client_for(sdk_emulator, BasicCredentials("AKUNKNOWN00000000001", SK, PROJECT)))
    assert (err.status_code, err.error_code) == (401, "APIGW.0301")
    assert "ak not exist" in err.error_msg
    assert len(err.request_id) == 32


def test_sdk_wrong_secret_is_rejected(sdk_emulator):
    err = _auth_error(client_for(sdk_emulator, BasicCredentials(AK, SK[:-1] + "2", PROJECT)))
    assert (err.status_code, err.error_code) == (401, "APIGW.0301")
    assert err.error_msg == "Incorrect IAM authentication information: verify aksk signature fail"


@pytest.mark.parametrize("offset", [1200, -1200])
def test_sdk_clock_skew_over_15_minutes_is_rejected(make_emulator, offset):
    emu = make_emulator(emulator_config(clock_offset_seconds=offset))
    err = _auth_error(client_for(emu, BasicCredentials(AK, SK, PROJECT)))
    assert (err.status_code, err.error_code) == (401, "APIGW.0301")
    assert "signature expired" in err.error_msg


def test_sdk_clock_skew_under_15_minutes_is_accepted(make_emulator):
    emu = make_emulator(emulator_config(clock_offset_seconds=-600))
    assert show(client_for(emu, BasicCredentials(AK, SK, PROJECT)), "job-done")["status"] == "SUCCESS"


def test_sdk_unknown_job_gives_a_dcs_404(sdk_emulator):
    err = _auth_error(client_for(sdk_emulator, BasicCredentials(AK, SK, PROJECT)), "ff80808288d41e1b0000000000000000")
    assert err.status_code == 404
    assert err.error_code == "DCS.4404"
    assert err.error_msg == "The job does not exist."


def test_sdk_job_of_another_project_is_not_found(sdk_emulator):
    err = _auth_error(client_for(sdk_emulator, BasicCredentials(AK, SK, PROJECT)), "job-other")
    assert (err.status_code, err.error_code) == (404, "DCS.4404")


# ---- project discovery (BasicCredentials without project_id asks IAM /v3/projects) --------

def _discovery_creds(emu, region):
    # The SDK caches project IDs by AK + region: a fresh region name per test avoids the cache.
    return BasicCredentials(AK, SK).with_iam_endpoint(emu.url), region


def test_sdk_project_discovery_one_match(make_emulator):
    region = "xx-test-%s" % uuid.uuid4().hex[:8]
    emu = make_emulator(emulator_config(projects=[{"id": PROJECT, "name": region}], verify_with_sdk=True))
    creds, region = _discovery_creds(emu, region)
    assert show(client_for(emu, creds, region), "job-done")["status"] == "SUCCESS"
    paths = [(e["path"], e["query"], e["status"]) for e in emu.requests]
    assert paths[0] == ("/v3/projects", "name=" + region, 200)
    assert "x-project-id" not in emu.requests[0]["headers"]
    assert paths[1][0] == "/v2/%s/jobs/job-done" % PROJECT


def test_sdk_project_discovery_through_environment(make_emulator, monkeypatch):
    region = "xx-env-%s" % uuid.uuid4().hex[:8]
    emu = make_emulator(emulator_config(projects=[{"id": PROJECT, "name": region}]))
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.url)
    assert show(client_for(emu, BasicCredentials(AK, SK), region), "job-done")["status"] == "SUCCESS"


def test_sdk_project_discovery_no_match(make_emulator):
    region = "xx-none-%s" % uuid.uuid4().hex[:8]
    emu = make_emulator(emulator_config())
    creds, region = _discovery_creds(emu, region)
    with pytest.raises(SdkException) as info:
        show(client_for(emu, creds, region), "job-done")
    assert "Failed to get project id" in str(info.value)


def test_sdk_project_discovery_several_matches(make_emulator):
    region = "xx-many-%s" % uuid.uuid4().hex[:8]
    projects = [{"id": PROJECT, "name": region}, {"id": "a" * 32, "name": region}]
    emu = make_emulator(emulator_config(projects=projects))
    creds, region = _discovery_creds(emu, region)
    with pytest.raises(SdkException) as info:
        show(client_for(emu, creds, region), "job-done")
    assert "Multiple project ids found" in str(info.value)
    assert PROJECT in str(info.value) and "a" * 32 in str(info.value)


# ---- TLS ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


def test_sdk_over_tls_with_the_test_ca(make_emulator, certificates):
    emu = make_emulator(emulator_config(), tls_cert=certificates.cert_file, tls_key=certificates.key_file)
    assert emu.url.startswith("https://127.0.0.1:")
    config = HttpConfig.get_default_config()
    config.ssl_ca_cert = certificates.ca_file
    config.timeout = (5, 5)
    job = show(client_for(emu, BasicCredentials(AK, SK, PROJECT), http_config=config), "job-done")
    assert job["status"] == "SUCCESS"


def test_tls_rejects_clients_without_the_ca(make_emulator, certificates):
    import ssl

    emu = make_emulator(emulator_config(), tls_cert=certificates.cert_file, tls_key=certificates.key_file)
    with pytest.raises(ssl.SSLError):
        raw_request(emu.url, "GET", "/_emulator/health")
    assert raw_request(emu.url, "GET", "/_emulator/health", ca_file=certificates.ca_file).json() == {"ok": True}
