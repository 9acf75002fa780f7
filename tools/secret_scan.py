# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Search the output of a -vvvv integration run for the test secrets.

Usage: secret_scan.py LOG [VARS_FILE ...]

The secrets are every value of a variable whose name ends in ``_sk`` or ``_token`` in the
integration targets' vars files, plus every literal ``secret_key:`` / ``security_token:`` value
in their task files (the deliberately wrong secrets). A secret may appear in one place only:
the ``EXEC`` line in which ansible-core itself shows the ``environment:`` of a task at -vvv
(that line is ansible-core's, not the collection's, and the scan says how many it saw).
Anything else -- a module result, a message, a warning, the invocation echo, a traceback --
fails the scan. Exits 0 when clean, 1 when a secret leaked, 2 on a usage error.
"""

import re
import sys
from pathlib import Path

EXEC_LINE = re.compile(r"^<[^>]+> EXEC ")
SECRET_VAR = re.compile(r"^\s*([A-Za-z0-9_]+(?:_sk|_token)):\s*['\"]?([^'\"\s#]+)")
LITERAL_SECRET = re.compile(r"^\s*(?:secret_key|sk|security_token):\s*['\"]?([^'\"\s{#][^'\"\s#]*)")


def collect_secrets(paths):
    secrets = set()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            for pattern in (SECRET_VAR, LITERAL_SECRET):
                match = pattern.match(line)
                if match:
                    value = match.groups()[-1]
                    if len(value) >= 8:
                        secrets.add(value)
    return secrets


def scan(log_text, secrets):
    """Return (leaks, exec_lines): leaks are (line number, secret) outside ansible-core's EXEC lines."""
    leaks, exec_lines = [], 0
    for number, line in enumerate(log_text.splitlines(), 1):
        found = [secret for secret in secrets if secret in line]
        if not found:
            continue
        if EXEC_LINE.match(line):
            exec_lines += 1
            continue
        leaks.extend((number, secret) for secret in found)
    return leaks, exec_lines


def self_check():
    """The scan must see a leak where there is one, and accept ansible-core's EXEC line."""
    secret = "SKselfCheckSecret0001"
    assert scan("<localhost> EXEC /bin/sh -c 'X=%s python'" % secret, {secret}) == ([], 1)
    assert scan('ok: [localhost] => {"msg": "%s"}' % secret, {secret}) == ([(1, secret)], 0)
    assert collect_secrets([]) == set()


def main(argv):
    self_check()
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    log_path, sources = Path(argv[0]), argv[1:]
    files = []
    for source in sources:
        path = Path(source)
        files.extend(sorted(p for p in path.rglob("*.yml")) if path.is_dir() else [path])
    secrets = collect_secrets(files)
    if len(secrets) < 3:
        print("secret scan: found only %d secrets in %s; refusing to call an empty scan clean" % (len(secrets), sources))
        return 2
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if "PLAY RECAP" not in text or "<localhost> EXEC" not in text and "<127.0.0.1> EXEC" not in text and "ESTABLISH" not in text:
        print("secret scan: %s does not look like a -vvvv ansible-playbook log" % log_path)
        return 2
    leaks, exec_lines = scan(text, secrets)
    for number, secret in leaks:
        print("secret scan: %s:%d shows a secret (%s...)" % (log_path, number, secret[:4]))
    print("secret scan: %d secrets searched in %d lines of -vvvv output: %d leaks; %d ansible-core EXEC lines "
          "showed a task's environment: keyword" % (len(secrets), text.count("\n"), len(leaks), exec_lines))
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
