# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the AWX guide's credential type against the code: ``python awx_probe.py < blocks.json``.

Run by tools/ecosystem_check.py inside .venv-docs with the installed collection on PYTHONPATH; reads a JSON
list of the guide's YAML blocks (input and injector configurations) on stdin, prints one line per problem
and exits 1 when there is any.
"""

import importlib
import json
import re
import sys

SECRET_FIELDS = ("secret_key", "security_token")
REQUIRED_FIELDS = ("access_key",) + SECRET_FIELDS


def variables_read(connection):
    """The environment variables the credential injector may set: those ``_connection`` reads."""
    names = set(name for family in connection.ENV_CREDENTIAL_FAMILIES for name in family if name)
    names.update(connection.PROJECT_ID_ENVS, connection.REGION_ENVS, [connection.IAM_ENDPOINT_ENV, connection.CREDENTIALS_FILE_ENV])
    return names


def injector_problems(number, injector, fields, read):
    """Problems of one injector configuration: variables not read, templates using fields that do not exist."""
    problems = []
    for env, template in injector["env"].items():
        if env not in read:
            problems.append("injector %d sets %s, which the collection does not read" % (number, env))
        for used in re.findall(r"{{\s*([\w.]+)\s*}}", template):
            if used not in fields and not used.startswith("tower.filename"):
                problems.append("injector %d uses {{ %s }}, which is not an input field" % (number, used))
    for template in (injector.get("file") or {}).values():
        for variable, condition in re.findall(r"{{\s*([\w.]+)\s*}}|{%\s*if\s+(\w+)", template):
            name = variable or condition
            if name not in fields:
                problems.append("injector %d's file uses %s, which is not an input field" % (number, name))
    return problems


def credential_type_problems(blocks, read):
    """Problems of the credential type made of the YAML ``blocks`` (already parsed), given the variables ``read``."""
    inputs = [block for block in blocks if isinstance(block, dict) and "fields" in block]
    injectors = [block for block in blocks if isinstance(block, dict) and "env" in block and "fields" not in block]
    if len(inputs) != 1 or not injectors:
        return ["expected one input configuration (fields:) and at least one injector configuration (env:), "
                "found %d and %d" % (len(inputs), len(injectors))]
    fields = dict((field["id"], field) for field in inputs[0]["fields"])
    problems = ["the input configuration has no %s field" % name for name in REQUIRED_FIELDS if name not in fields]
    problems.extend("field %s is not marked secret: true" % name for name in SECRET_FIELDS
                    if name in fields and not fields[name].get("secret"))
    for number, injector in enumerate(injectors, 1):
        problems.extend(injector_problems(number, injector, fields, read))
    return problems


def main(stdin=None, stdout=None):
    import yaml  # pylint: disable=import-outside-toplevel

    blocks = [yaml.safe_load(text) for text in json.load(stdin or sys.stdin)]
    connection = importlib.import_module("ansible_collections.hwc.dcs.plugins.module_utils._connection")
    problems = credential_type_problems(blocks, variables_read(connection))
    for line in problems:
        print(line, file=stdout or sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
