# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse YAML files: ``python yaml_probe.py FILE...``; prints the first file that does not parse and exits 1.

Run by tools/ecosystem_check.py inside .venv-docs (which has PyYAML) over the docs' YAML code blocks.
"""

import sys


def first_unparsable(paths, load, errors):
    """(path, error) of the first file of ``paths`` that ``load`` (a YAML loader of text) refuses with one of the
    exception types ``errors``, else None."""
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            load(text)
        except errors as error:
            return path, error
    return None


def main(paths):
    import yaml  # pylint: disable=import-outside-toplevel

    found = first_unparsable(paths, yaml.safe_load, yaml.YAMLError)
    if found:
        print("%s: %s" % found)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
