# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DCS instance parameters: the configs resource, the checks of wanted values, and the plan of a change.

Private to this collection: this interface may change without notice.

Shapes follow the official SDK's models (``huaweicloudsdkdcs`` v2): ``ListConfigurationsResponse``
(``config_status``, ``status``, ``redis_config``: a list of ``QueryRedisConfig`` with ``param_id``,
``param_name``, ``param_value``, ``default_value``, ``value_type``, ``value_range``) for
``GET .../instances/{instance_id}/configs``, and ``ModifyRedisConfigBody`` / ``RedisConfig`` for the
body of ``PUT .../async-configs``. ``need_restart`` (a boolean per parameter) is not in the SDK model;
the Terraform provider reads it (``resource_huaweicloud_dcs_instance.go``, ``getParameters``).
Values are compared and sent as strings, as the API holds them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

from ansible_collections.hwc.dcs.plugins.module_utils._instances import instance_url
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean, show

INTEGER_TYPES = ("interger", "integer")  # "Interger" (sic) is how the API spells it
ENUM_TYPE = "enum"
_INTEGER_RE = re.compile(r"\A[+-]?[0-9]{1,18}\Z")
_RANGE_RE = re.compile(r"\A\s*(-?[0-9]{1,18})\s*-\s*(-?[0-9]{1,18})\s*\Z")
MAX_VALUE = 4096  # longest value text accepted from a user
CHANGE_LABEL = "change"  # the request log's label of the change requests (``change_requests`` in the result)


def _check_configs(body):
    if not isinstance(body.get("redis_config"), list):
        raise ValueError("no 'redis_config' list")


def _text(value, limit=500):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return clean(str(value), limit)


def _raw_text(value):
    """A value as the API holds it, uncleaned (it is compared with the wanted one), or None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return value if isinstance(value, str) else str(value)


def _entry(raw):
    return dict(param_id=_text(raw.get("param_id"), 128), param_name=_text(raw.get("param_name"), 128),
                param_value=_raw_text(raw.get("param_value")), default_value=_text(raw.get("default_value"), 200),
                value_type=_text(raw.get("value_type"), 32), value_range=_text(raw.get("value_range"), 1000),
                need_restart=raw.get("need_restart") is True)


def read_configs(task, instance_id, deadline):
    """The parameters of an instance (``GET .../configs``): ``{"config_status", "status", "parameters": {name: entry}}``."""
    project_id = task.project.get(deadline)
    body = task.client.request("GET", instance_url(task, project_id, instance_id, "configs"), project_id=project_id,
                               deadline=deadline, max_retries=task.settings.api_retries, validate=_check_configs,
                               label="configs")
    parameters = {}
    for raw in body["redis_config"]:
        if isinstance(raw, dict):
            entry = _entry(raw)
            if entry["param_name"] and entry["param_name"] not in parameters:
                parameters[entry["param_name"]] = entry
    return dict(config_status=_text(body.get("config_status"), 32), status=_text(body.get("status"), 32),
                parameters=parameters)


def integer_range(entry):
    """(min, max) of an integer parameter's ``value_range`` (``"0-7200"``), or None when it has none."""
    match = _RANGE_RE.match(entry.get("value_range") or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def enum_values(entry):
    """The allowed values of an Enum parameter (``value_range`` ``"yes,no"``)."""
    return [value.strip() for value in (entry.get("value_range") or "").split(",") if value.strip()]


def kind(entry):
    value_type = (entry.get("value_type") or "").lower()
    if value_type in INTEGER_TYPES:
        return "integer"
    return "enum" if value_type == ENUM_TYPE and enum_values(entry) else "text"


def describe_allowed(entry):
    """What a parameter takes, for messages: 'an integer from 0 to 7200', 'one of yes, no', 'any text'."""
    what = kind(entry)
    if what == "integer":
        bounds = integer_range(entry)
        return "an integer from %d to %d" % bounds if bounds else "an integer"
    if what == "enum":
        return "one of %s" % ", ".join(enum_values(entry))
    return "any text"


def _as_text(name, value, entry):
    """The user's YAML value as the API's string, or raise ValueError saying why it cannot be one."""
    if isinstance(value, bool):
        allowed = enum_values(entry) if kind(entry) == "enum" else []
        if "yes" in allowed and "no" in allowed:
            return "yes" if value else "no"
        raise ValueError("%s is a boolean, but %s takes %s; quote the value in YAML (unquoted yes/no/on/off/true/false "
                         "are booleans)" % (show(value).lower(), name, describe_allowed(entry)))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if len(value) > MAX_VALUE:
            raise ValueError("the value is longer than %d characters" % MAX_VALUE)
        return value
    if value is None:
        raise ValueError("the value is null; give the value to set (its default is %s)" % show(entry.get("default_value")))
    if isinstance(value, float):
        raise ValueError("%s is a decimal number; %s takes %s (quote the value to send it as text)" % (
            show(value), name, describe_allowed(entry)))
    raise ValueError("a %s is not a parameter value; %s takes %s" % (
        "dict" if isinstance(value, dict) else "list" if isinstance(value, list) else type(value).__name__,
        name, describe_allowed(entry)))


def wanted_value(name, value, entry):
    """The checked value to set, as the API's string. Raises ValueError naming the value and what is allowed."""
    text = _as_text(name, value, entry)
    what = kind(entry)
    if what == "integer":
        if not _INTEGER_RE.match(text.strip()):
            raise ValueError("%s is not an integer; %s takes %s" % (show(value), name, describe_allowed(entry)))
        number = int(text.strip())
        bounds = integer_range(entry)
        if bounds and not bounds[0] <= number <= bounds[1]:
            raise ValueError("%s is out of range; %s takes %s" % (show(value), name, describe_allowed(entry)))
        return str(number)
    if what == "enum":
        allowed = enum_values(entry)
        if text.strip() not in allowed:
            raise ValueError("%s is not allowed; %s takes %s" % (show(value), name, describe_allowed(entry)))
        return text.strip()
    return text


def same_value(current, wanted, entry):
    """Whether the API's current value already is ``wanted`` (integers compared as numbers: '0300' is 300)."""
    if current is None:
        return False
    if kind(entry) == "integer" and _INTEGER_RE.match(current.strip()):
        return str(int(current.strip())) == wanted
    if kind(entry) == "enum":
        return current.strip() == wanted
    return current == wanted


def unknown_name(name, known):
    """The message for a parameter the instance does not have, with the close matches."""
    matches = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if not matches and "_" in name:
        matches = [candidate for candidate in known if candidate == name.replace("_", "-")]
    hint = ("did you mean %s?" % " or ".join(show(m) for m in matches)) if matches else \
        "it has %d parameters (see the configs answer or the console's Parameters page)" % len(known)
    return "%s is not a parameter of this instance: %s" % (show(name), hint)


def plan_change(wanted, configs):
    """Check every wanted parameter against the instance's configs.

    Returns ``(problems, changes, asked)``: the list of messages of invalid parameters, the entries to
    change ``{name: (entry, before, after)}``, and ``{name: (before, after)}`` for every asked parameter.
    """
    parameters = configs["parameters"]
    problems, changes, asked = [], {}, {}
    for name in sorted(wanted):
        entry = parameters.get(name)
        if entry is None:
            problems.append(unknown_name(name, sorted(parameters)))
            continue
        try:
            after = wanted_value(name, wanted[name], entry)
        except ValueError as exc:
            problems.append("%s: %s" % (name, exc))
            continue
        before = entry["param_value"]
        asked[name] = (before, after)
        if not same_value(before, after, entry):
            changes[name] = (entry, before, after)
    return problems, changes, asked


def change_body(changes):
    """The ``ModifyRedisConfigBody``: ``{"redis_config": [{"param_id", "param_name", "param_value"}]}``."""
    return {"redis_config": [dict(param_id=entry["param_id"], param_name=name, param_value=after)
                             for name, (entry, _before, after) in sorted(changes.items())]}


def not_applied(changes, configs):
    """The names of the changed parameters whose value in ``configs`` is not yet the wanted one."""
    parameters = configs["parameters"]
    return [name for name, (entry, _before, after) in sorted(changes.items())
            if name not in parameters or not same_value(parameters[name]["param_value"], after, entry)]


def describe_missing(missing, changes, configs):
    """'timeout is '0', not '300'; ...' for the names ``not_applied()`` returned."""
    parameters = configs["parameters"]
    return "; ".join("%s is %s, not %s" % (name, show(clean(parameters.get(name, {}).get("param_value"))), show(changes[name][2]))
                     for name in missing)
