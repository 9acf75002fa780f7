# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of tools/probes: the programs tools/ecosystem_check.py and tools/harness.py run with another interpreter."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import types

import pytest
import yaml

try:
    from ansible_collections.hwc.dcs.tools.probes import ansible_test_pip, awx_probe, doc_probe, get_pip_offline, interpreter, yaml_probe
except ImportError:  # run directly from a checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
    from probes import ansible_test_pip, awx_probe, doc_probe, get_pip_offline, interpreter, yaml_probe  # type: ignore[no-redef]

CONNECTION = types.SimpleNamespace(
    ENV_CREDENTIAL_FAMILIES=[("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", None), ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN")],
    PROJECT_ID_ENVS=("HW_PROJECT_ID",), REGION_ENVS=("HW_REGION_NAME",), API_RETRIES_ENVS=("HWC_DCS_API_RETRIES",),
    IAM_ENDPOINT_ENV="HWC_IAM_ENDPOINT", CREDENTIALS_FILE_ENV="HUAWEICLOUD_SDK_CREDENTIALS_FILE")


# --- doc_probe ----------------------------------------------------------------------------------------------------


def good_entry(env_names):
    shown = " ".join("E(%s)" % name for name in sorted(env_names))
    options = {"region": {"description": ["Region, from %s." % shown]}, "job_id": {"description": ["Job."]}}
    return dict(
        doc=dict(short_description="x", description=["x"], author=["a"], seealso=[{"link": "l"}], attributes={"a": {}},
                 options=options, version_added="0.1.0"),
        **{"return": {"jobs": {"description": "Jobs.", "sample": [], "contains": {"status": {"description": "S.", "sample": "SUCCESS"}}}},
           "examples": "- name: Query\n  hwc.dcs.dcs_job_info:\n    job_id: x\n"})


def test_environment_names_come_from_every_declaration():
    names = doc_probe.environment_names(CONNECTION)
    assert names == {"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN",
                     "HW_PROJECT_ID", "HW_REGION_NAME", "HWC_DCS_API_RETRIES", "HWC_IAM_ENDPOINT", "HUAWEICLOUD_SDK_CREDENTIALS_FILE"}
    assert doc_probe.environment_names(types.SimpleNamespace()) == set()  # a layer that declares none


def test_a_complete_module_doc_has_no_problems():
    names = doc_probe.environment_names(CONNECTION)
    assert doc_probe.module_problems("hwc.dcs.dcs_job_info", good_entry(names), names, {}, yaml.safe_load) == []


def test_doc_problems_are_each_reported():
    names = doc_probe.environment_names(CONNECTION)
    entry = good_entry(names - {"HW_REGION_NAME"})
    del entry["doc"]["seealso"]
    del entry["return"]["jobs"]["contains"]["status"]["sample"]
    entry["doc"]["options"]["job_id"]["description"] = []
    entry["examples"] = "just: a mapping"
    problems = doc_probe.module_problems("m", entry, names, {}, yaml.safe_load)
    assert problems == [
        "m: environment variable HW_REGION_NAME (read by the code) is not shown with E() in the docs",
        "m: DOCUMENTATION has no seealso",
        "m: option job_id has no description",
        "m: RETURN jobs.status has no sample",
        "m: EXAMPLES is not a YAML list of tasks",
    ]


def test_option_fallbacks_must_be_shown_in_their_description():
    spec = {"job_id": {"fallback": (object, ["HW_JOB"])}, "region": {"fallback": (object, [["HW_REGION_NAME"]])}}
    names = doc_probe.environment_names(CONNECTION)
    problems = doc_probe.module_problems("m", good_entry(names), names, spec, yaml.safe_load)
    assert problems == ["m: option job_id falls back to HW_JOB, which its description does not show"]
    assert doc_probe.fallback_names({}) == []


# --- awx_probe ----------------------------------------------------------------------------------------------------


INPUTS = {"fields": [{"id": "access_key"}, {"id": "secret_key", "secret": True}, {"id": "security_token", "secret": True},
                     {"id": "region"}]}


def test_a_matching_credential_type_has_no_problems():
    injector = {"env": {"HW_ACCESS_KEY": "{{ access_key }}", "HW_SECRET_KEY": "{{secret_key}}", "HW_REGION_NAME": "{{ region }}"}}
    assert awx_probe.credential_type_problems([INPUTS, injector], awx_probe.variables_read(CONNECTION)) == []


def test_credential_type_problems_are_each_reported():
    inputs = {"fields": [{"id": "access_key"}, {"id": "secret_key"}]}
    injector = {"env": {"HW_ACCESS_KEY": "{{ access_key }}", "HW_UNKNOWN": "{{ nothing }}"},
                "file": {"template": "{% if region %}{{ region }}{% endif %}"}}
    problems = awx_probe.credential_type_problems([inputs, injector], awx_probe.variables_read(CONNECTION))
    assert problems == [
        "the input configuration has no security_token field",
        "field secret_key is not marked secret: true",
        "injector 1 sets HW_UNKNOWN, which the collection does not read",
        "injector 1 uses {{ nothing }}, which is not an input field",
        "injector 1's file uses region, which is not an input field",
        "injector 1's file uses region, which is not an input field",
    ]


def test_the_guide_must_define_inputs_and_injectors():
    assert awx_probe.credential_type_problems([INPUTS], set())[0].startswith("expected one input configuration")


# --- yaml_probe, interpreter, ansible_test_pip, get_pip_offline ---------------------------------------------------


def test_yaml_probe_names_the_first_block_that_does_not_parse(tmp_path):
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text("- a: 1\n")
    bad.write_text("a: [1\n")
    assert yaml_probe.first_unparsable([str(good)], yaml.safe_load, yaml.YAMLError) is None
    path, error = yaml_probe.first_unparsable([str(good), str(bad), str(good)], yaml.safe_load, yaml.YAMLError)
    assert path == str(bad) and isinstance(error, yaml.YAMLError)


def test_interpreter_probe_prefers_the_base_interpreter_of_a_virtualenv(tmp_path):
    base = tmp_path / "python3.12"
    base.write_text("")
    assert interpreter.real_interpreter("/venv", "/usr", "/venv/bin/python", str(base)) == str(base)
    assert interpreter.real_interpreter("/usr", "/usr", "/usr/bin/python3.12", "/usr/bin/python3.12") == "/usr/bin/python3.12"
    assert interpreter.real_interpreter("/venv", "/usr", "/venv/bin/python", str(tmp_path / "gone")) == "/venv/bin/python"


def test_interpreter_probe_runs_as_a_program():
    out = subprocess.run([sys.executable, interpreter.__file__, "--venv"], stdout=subprocess.PIPE, universal_newlines=True,
                         check=True).stdout.split("\n")
    assert out[0] == "%d.%d" % sys.version_info[:2] and os.path.exists(out[1])


def test_pip_versions_are_distinct_and_sorted():
    pins = {"3.8": "23.1", "3.12": "24.0", "3.13": "24.0"}
    assert ansible_test_pip.pip_versions(lambda python: {"pip": pins[python.version]}, ["3.13", "3.8", "3.12"]) == ["23.1", "24.0"]


def test_offline_get_pip_drops_options_pip_does_not_know():
    assert get_pip_offline.install_arguments(["--no-setuptools", "pip==24.0", "--no-wheel", "-q"]) == [
        "install", "--upgrade", "--force-reinstall", "pip==24.0", "-q"]


def test_offline_get_pip_template_refuses_to_run_without_a_wheel(capsys):
    assert get_pip_offline.main(["pip"]) == 2
    assert "template" in capsys.readouterr().err


@pytest.mark.parametrize("module", [doc_probe, awx_probe, yaml_probe, interpreter, ansible_test_pip, get_pip_offline])
def test_every_probe_is_a_program(module):
    with open(module.__file__, encoding="utf-8") as handle:
        text = handle.read()
    assert 'if __name__ == "__main__":' in text and "def main(" in text
