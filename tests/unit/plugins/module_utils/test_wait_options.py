# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_wait_options: the wait option group, its checks, and its doc fragment (hwc.dcs.wait) in step."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.hwc.dcs.plugins.doc_fragments.wait import ModuleDocFragment
from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import (
    MIN_WAIT_SLEEP,
    WAIT_DEFAULTS,
    wait_argument_spec,
    wait_options,
)

OPTIONS = ("wait", "wait_timeout", "wait_sleep", "fail_on_job_failure", "progress_interval")


def defaults(**overrides):
    params = dict((name, spec.get("default")) for name, spec in wait_argument_spec().items())
    params.update(overrides)
    return params


def doc_options():
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]


def test_defaults():
    options = wait_options(defaults())
    assert options.wait is False
    assert options.timeout == 1800 and options.sleep == 5.0 and isinstance(options.sleep, float)
    assert options.fail_on_failure is True
    assert WAIT_DEFAULTS == {"wait_timeout": 1800, "wait_sleep": 5.0}


def test_wait_default_can_be_chosen_by_the_module():
    assert wait_argument_spec()["wait"]["default"] is False
    assert wait_argument_spec(wait_default=True)["wait"]["default"] is True


def test_given_values():
    options = wait_options(defaults(wait=True, wait_timeout=30, wait_sleep=2, fail_on_job_failure=False))
    assert (options.wait, options.timeout, options.sleep, options.fail_on_failure) == (True, 30, 2.0, False)


def test_fail_on_job_failure_missing_means_true():
    params = defaults()
    del params["fail_on_job_failure"]
    assert wait_options(params).fail_on_failure is True


@pytest.mark.parametrize("sleep", [0.5, 0.50001, 1, 3600.0])
def test_wait_sleep_minimum_accepted(sleep):
    assert wait_options(defaults(wait_sleep=sleep)).sleep == float(sleep)


@pytest.mark.parametrize("sleep", [0.49, 0.1, 0.0001])
def test_wait_sleep_below_the_minimum(sleep):
    with pytest.raises(ValidationError) as info:
        wait_options(defaults(wait_sleep=sleep))
    assert "wait_sleep must be at least 0.5" in info.value.message
    assert MIN_WAIT_SLEEP == 0.5


@pytest.mark.parametrize("option", ["wait_sleep", "wait_timeout"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "nan", "inf", None, True, "x", 10 ** 400])
def test_non_finite_or_not_a_number_is_refused(option, value):
    with pytest.raises(ValidationError) as info:
        wait_options(defaults(**{option: value}))
    assert option in info.value.message and "finite number" in info.value.message


@pytest.mark.parametrize("option", ["wait_sleep", "wait_timeout"])
@pytest.mark.parametrize("value", [0, -1, -0.5])
def test_zero_or_negative_is_refused(option, value):
    with pytest.raises(ValidationError) as info:
        wait_options(defaults(**{option: value}))
    assert option in info.value.message and "greater than 0" in info.value.message


def test_argument_spec_keys_equal_the_doc_fragment():
    assert sorted(wait_argument_spec()) == sorted(doc_options()) == sorted(OPTIONS)


@pytest.mark.parametrize("name", OPTIONS)
def test_argument_spec_matches_the_doc_fragment(name):
    spec = wait_argument_spec()[name]
    doc = doc_options()[name]
    assert spec["type"] == doc["type"]
    assert spec.get("default") == doc.get("default")
    assert type(spec.get("default")) in (type(doc.get("default")), float)
    assert sorted(spec.get("aliases", [])) == sorted(doc.get("aliases", []))
    assert doc.get("description"), "option %s has no description" % name


def test_doc_fragment_documents_the_bounds():
    docs = doc_options()
    assert any("0.5" in line for line in docs["wait_sleep"]["description"])
    assert any("greater than 0" in line for line in docs["wait_timeout"]["description"])
    assert any("non-blank string" in line for line in docs["fail_on_job_failure"]["description"])


def test_doc_fragment_documents_the_progress_settings():
    text = " ".join(doc_options()["progress_interval"]["description"])
    for word in ("V(0)", "V(5)", "V(3600)", "hwc_dcs_progress_interval", "HWC_DCS_PROGRESS_INTERVAL", "V(30)", "no_log", "async"):
        assert word in text
