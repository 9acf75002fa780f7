# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pip versions ansible-test bootstraps its ``--venv`` virtualenvs with: ``python ansible_test_pip.py 3.12 ...``.

Run by tools/harness.py with the release virtualenv's Python (which has ansible-test); prints a JSON list.
"""

import json
import sys
import types


def pip_versions(get_venv_packages, python_versions):
    """The sorted distinct pip versions ``get_venv_packages`` (ansible-test's) names for ``python_versions``."""
    return sorted(set(get_venv_packages(types.SimpleNamespace(version=version))["pip"] for version in python_versions))


def main(python_versions):
    # pylint: disable-next=import-outside-toplevel
    from ansible_test._internal.python_requirements import get_venv_packages

    print(json.dumps(pip_versions(get_venv_packages, python_versions)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
