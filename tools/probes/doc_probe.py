# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare the modules' documentation with their code: ``python doc_probe.py < ansible-doc-json``.

Run by tools/ecosystem_check.py inside .venv-docs with the installed collection on PYTHONPATH; reads the
output of ``ansible-doc --json`` on stdin, prints one line per problem and exits 1 when there is any.
"""

import importlib
import json
import sys

# Names in module_utils/_connection.py of the environment variables the collection reads.
ENV_FAMILY_NAMES = ("ENV_CREDENTIAL_FAMILIES",)
ENV_LIST_NAMES = ("PROJECT_ID_ENVS", "REGION_ENVS", "API_RETRIES_ENVS")
ENV_SINGLE_NAMES = ("IAM_ENDPOINT_ENV", "CREDENTIALS_FILE_ENV")
REQUIRED_KEYS = ("short_description", "description", "author", "seealso", "attributes", "options", "version_added")


def environment_names(connection):
    """Every environment variable name the ``_connection`` module declares it reads."""
    names = set()
    for attribute in ENV_FAMILY_NAMES:
        for family in getattr(connection, attribute, ()):
            names.update(name for name in family if name)
    for attribute in ENV_LIST_NAMES:
        names.update(getattr(connection, attribute, ()))
    for attribute in ENV_SINGLE_NAMES:
        if getattr(connection, attribute, None):
            names.add(getattr(connection, attribute))
    return names


def fallback_names(spec):
    """The environment variables of an option's ``env_fallback`` (none without a fallback)."""
    fallback = spec.get("fallback")
    if not fallback:
        return []
    args = fallback[1]
    return list(args[0]) if args and isinstance(args[0], list) else list(args)


def return_problems(module, values, path=()):
    """RETURN keys (nested in ``contains``) without a sample or a description."""
    problems = []
    for key, value in values.items():
        where = ".".join(path + (key,))
        if "sample" not in value:
            problems.append("%s: RETURN %s has no sample" % (module, where))
        if not value.get("description"):
            problems.append("%s: RETURN %s has no description" % (module, where))
        problems.extend(return_problems(module, value.get("contains") or {}, path + (key,)))
    return problems


def module_problems(module, entry, env_names, argument_spec, load_yaml):
    """Problems of one module's ansible-doc ``entry`` against the code (``argument_spec`` may be None)."""
    doc, ret, examples = entry["doc"], entry.get("return") or {}, entry.get("examples") or ""
    problems = []
    text = json.dumps(doc)
    for env in sorted(env_names):
        if "E(%s)" % env not in text:
            problems.append("%s: environment variable %s (read by the code) is not shown with E() in the docs" % (module, env))
    for option, spec in sorted((argument_spec or {}).items()):
        described = json.dumps(doc.get("options", {}).get(option, {}).get("description"))
        for env in fallback_names(spec):
            if "E(%s)" % env not in described:
                problems.append("%s: option %s falls back to %s, which its description does not show" % (module, option, env))
    for key in REQUIRED_KEYS:
        if not doc.get(key):
            problems.append("%s: DOCUMENTATION has no %s" % (module, key))
    for name, option in doc.get("options", {}).items():
        if not option.get("description"):
            problems.append("%s: option %s has no description" % (module, name))
    if not ret:
        problems.append("%s: no RETURN documentation" % module)
    problems.extend(return_problems(module, ret))
    tasks = load_yaml(examples)
    if not isinstance(tasks, list) or not tasks:
        problems.append("%s: EXAMPLES is not a YAML list of tasks" % module)
    return problems


def module_argument_spec(module):
    """The argument spec of ``hwc.dcs.<module>``'s logic (module_utils/_<module>.py), or None when it has none."""
    logic = importlib.import_module("ansible_collections.hwc.dcs.plugins.module_utils._%s" % module.split(".")[-1])
    spec = getattr(logic, "argument_spec", None)
    return spec() if callable(spec) else spec


def main(stdin=None, stdout=None):
    import yaml  # pylint: disable=import-outside-toplevel  # the probe runs where PyYAML is, the tests import it anyway

    docs = json.load(stdin or sys.stdin)
    connection = importlib.import_module("ansible_collections.hwc.dcs.plugins.module_utils._connection")
    env_names = environment_names(connection)
    problems = []
    for module, entry in sorted(docs.items()):
        problems.extend(module_problems(module, entry, env_names, module_argument_spec(module), yaml.safe_load))
    for line in problems:
        print(line, file=stdout or sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
