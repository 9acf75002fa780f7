#!/usr/bin/env bash
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make demo`: run playbooks/demo.yml against the local DCS API emulator.
#
# 1. Gets the make-test virtualenv of the newest ansible-core release (tools/harness.py makes it).
# 2. Builds the collection and installs it into a temporary directory.
# 3. Starts tests/emulator/dcs_emulator.py on a free loopback port with tests/emulator/demo-config.json.
# 4. Runs the demo playbook (the change window of change-window.yml on the demo instances, then checks of the
#    emulator's request log) with the emulator's URL and the demo credentials.
# 5. Stops the emulator and removes the temporary directory whatever happens (success, failure, Ctrl-C).
#
# Environment: PYTHON (default python3), ANSIBLE_CORE (default 2.21, the harness's newest release).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
RELEASE=${ANSIBLE_CORE:-2.21}
REQUESTS_PIN="requests==2.34.2"
CONFIG="$ROOT/tests/emulator/demo-config.json"

say() { printf '==> %s\n' "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hwc-dcs-demo.XXXXXX")
EMULATOR_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    local stopped=""
    trap - EXIT INT TERM
    trap '' PIPE  # a closed stdout (e.g. `make demo | head`) must not stop the cleanup half-way
    if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -TERM "$EMULATOR_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$EMULATOR_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
        stopped=1
    fi
    rm -rf "$WORK"
    [ -z "$stopped" ] || say "Emulator stopped" 2>/dev/null || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. The harness's virtualenv (.venv-<release>), created or reused by tools/harness.py.
say "Preparing the ansible-core $RELEASE virtualenv (tools/harness.py)"
BINDIR=$("$PYTHON" - "$ROOT" "$RELEASE" <<'PY'
import contextlib
import os
import sys

root, release = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, "tools"))
import harness  # noqa: E402

with contextlib.redirect_stdout(sys.stderr):
    bindir = harness.release_venv(release).bindir
print(bindir)
PY
)
VENV_PYTHON="$BINDIR/python"

# The module needs requests on the controller's Python. If the harness virtualenv lacks it,
# install it into the demo's own temporary directory rather than into that virtualenv.
EXTRA_PYTHONPATH=""
if ! "$VENV_PYTHON" -c 'import requests' 2>/dev/null; then
    say "Installing $REQUESTS_PIN for the demo (temporary)"
    if ! "$VENV_PYTHON" -m pip install --quiet --disable-pip-version-check --target "$WORK/site" "$REQUESTS_PIN" \
            >"$WORK/pip.log" 2>&1; then
        cat "$WORK/pip.log" >&2
        exit 1
    fi
    EXTRA_PYTHONPATH="$WORK/site"
fi

# 2. Build and install the collection into the temporary directory.
say "Building and installing hwc.dcs"
"$BINDIR/ansible-galaxy" collection build --force --output-path "$WORK/dist" "$ROOT" >/dev/null
ANSIBLE_COLLECTIONS_PATH="$WORK/collections" \
    "$BINDIR/ansible-galaxy" collection install --force -p "$WORK/collections" "$WORK"/dist/hwc-dcs-*.tar.gz >/dev/null

# 3. The emulator, on a free loopback port.
"$VENV_PYTHON" "$ROOT/tests/emulator/dcs_emulator.py" --host 127.0.0.1 --port 0 --config "$CONFIG" \
    --url-file "$WORK/url" >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
for _ in $(seq 100); do
    [ -s "$WORK/url" ] && break
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        cat "$WORK/emulator.log" >&2
        say "The emulator did not start"
        exit 1
    fi
    sleep 0.1
done
[ -s "$WORK/url" ] || { say "The emulator did not report its URL"; exit 1; }
URL=$(cat "$WORK/url")
say "DCS API emulator listening on $URL (instances from tests/emulator/demo-config.json)"

# The demo credentials, from the emulator's configuration, through the official SDK's variables.
read -r DEMO_AK DEMO_SK < <("$VENV_PYTHON" -c '
import json, sys
cred = json.load(open(sys.argv[1]))["credentials"][0]
print(cred["ak"], cred["sk"])' "$CONFIG")

# 4. The playbook.
say "Running playbooks/demo.yml"
status=0
(
    cd "$ROOT"
    export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
    export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    export ANSIBLE_LOCALHOST_WARNING=false
    export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
    # Skipped hosts stay displayed: with display_skipped_hosts=false the default callback prints a task's
    # banner only with its result, after the progress lines printed while the task waited.
    export ANSIBLE_RETRY_FILES_ENABLED=false
    export HUAWEICLOUD_SDK_AK="$DEMO_AK" HUAWEICLOUD_SDK_SK="$DEMO_SK"
    unset HUAWEICLOUD_SDK_SECURITY_TOKEN HUAWEICLOUD_SDK_PROJECT_ID HUAWEICLOUD_SDK_IAM_ENDPOINT HW_PROJECT_ID
    if [ -n "$EXTRA_PYTHONPATH" ]; then
        export PYTHONPATH="$EXTRA_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH}"
    fi
    exec "$BINDIR/ansible-playbook" playbooks/demo.yml -e "dcs_endpoint=$URL"
) || status=$?

if [ "$status" -eq 0 ]; then
    say "Demo finished: redis-ha-demo checked, two parameters set, switched over and verified, reruns sent nothing; redis-ha-flaky's failed switchover reason shown"
else
    say "Demo failed (exit status $status); emulator log:"
    cat "$WORK/emulator.log" >&2
fi
exit "$status"
