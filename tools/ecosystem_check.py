# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ecosystem checks behind ``make ecosystem``: what Galaxy, AWX and the Ansible docsite see.

From the source tree it:

1. keeps a virtualenv ``.venv-docs`` with the pinned ``tools/requirements-ecosystem.txt``
   (Python 3.12, else 3.11 or 3.13; rebuilt only when that file or the interpreter changes);
2. builds the collection tarball and installs it under ``.build/ecosystem/collections``;
3. ``ansible-doc``: the module documentation renders without warnings; every RETURN key has a
   sample; every environment variable the code reads is shown with ``E()``;
4. ``antsibull-docs lint-collection-docs --plugin-docs`` on the collection and its docs site;
5. ``antsibull-changelog lint``, and the release notes for the version in galaxy.yml generated
   into a scratch copy (``--write-changelog`` writes them back to CHANGELOG.rst and
   changelogs/changelog.yaml; fragments are kept, see changelogs/config.yaml);
6. ``ansible-builder introspect --sanitize`` over the installed copy lists exactly ``requests``,
   and the execution environment definition shown in the AWX guide passes ``ansible-builder create``;
   the AWX guide's credential type injects only variables the code reads, from fields it defines;
7. ``galaxy-importer`` (Galaxy's import pipeline, with ansible-doc and ansible-lint, no container)
   on the tarball reports no error and no warning;
8. ``ansible-lint`` (production profile) on the example playbooks, the module's EXAMPLES and the
   playbook snippets of the docs site.

It prints one line per check with its time and exits non-zero when any check failed.
It needs only the standard library of Python 3.8 or newer (the checks run inside the venv).
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)

from devlib import collection  # noqa: E402  pylint: disable=wrong-import-position
from devlib.console import ToolError, log  # noqa: E402  pylint: disable=wrong-import-position
from devlib.venvs import ensure_venv as ensure_tool_venv  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.dirname(TOOLS)
PROBES = os.path.join(TOOLS, "probes")
NAMESPACE, NAME = collection.NAMESPACE, collection.NAME
# Every module of the collection: its ansible-doc output and EXAMPLES are checked.
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
VENV = os.path.join(ROOT, ".venv-docs")
REQUIREMENTS = os.path.join(ROOT, "tools", "requirements-ecosystem.txt")
IMPORTER_CFG = os.path.join(ROOT, "tools", "galaxy-importer.cfg")
WORK = os.path.join(ROOT, ".build", "ecosystem")
PYTHONS = ("3.12", "3.11", "3.13")
CHECKS = ("ansible-doc", "antsibull-docs", "changelog", "execution-environment", "awx-credential-type", "galaxy-importer",
          "ansible-lint")


class CheckFailed(ToolError):
    pass


# --- environment -------------------------------------------------------------------------------------------------


def ensure_venv():
    """The virtualenv .venv-docs with tools/requirements-ecosystem.txt; its bin directory."""
    return ensure_tool_venv(VENV, REQUIREMENTS, PYTHONS, "make ecosystem", root=ROOT).bindir


def tool_env(bindir, **extra):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", NO_COLOR="1", PY_COLORS="0",
               PATH=os.pathsep.join([bindir, os.environ.get("PATH", os.defpath)]),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(WORK, "collections"))
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "ANSIBLE_CONFIG", "GALAXY_IMPORTER_CONFIG", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(extra)
    return env


def run(command, env, cwd=ROOT, check=True, quiet=False):
    """Run a command; return (exit status, stdout, stderr). Print its output unless ``quiet``."""
    proc = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, universal_newlines=True, errors="replace", check=False)
    if not quiet or (check and proc.returncode):
        print("$ %s" % " ".join(command))
        for text in (proc.stdout, proc.stderr):
            if text.strip():
                print(textwrap.indent(text.rstrip(), "    "))
    if check and proc.returncode:
        raise CheckFailed("%s exited with %d" % (os.path.basename(command[0]), proc.returncode))
    return proc.returncode, proc.stdout, proc.stderr


def build(bindir):
    """Build the tarball into .build/ecosystem/dist and install it under .build/ecosystem/collections."""
    return collection.build_and_install(bindir, ROOT, os.path.join(WORK, "dist"), os.path.join(WORK, "collections"),
                                        tool_env(bindir), no_deps=True)


def galaxy_version():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        match = re.search(r"^version:\s*['\"]?([^\s'\"]+)", handle.read(), re.M)
    if not match:
        raise CheckFailed("galaxy.yml has no version")
    return match.group(1)


# --- checks --------------------------------------------------------------------------------------------------------

def run_probe(bindir, name, args=(), stdin_data=None):
    """Run tools/probes/<name>.py with .venv-docs' Python and the installed collection importable; (status, output)."""
    env = tool_env(bindir, PYTHONPATH=os.path.join(WORK, "collections"))
    proc = subprocess.run([os.path.join(bindir, "python"), os.path.join(PROBES, name + ".py")] + list(args), input=stdin_data,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    return proc.returncode, proc.stdout


def check_ansible_doc(bindir, tree, scratch):
    env = tool_env(bindir)
    doc = os.path.join(bindir, "ansible-doc")
    for module in MODULES:
        fqcn = "%s.%s.%s" % (NAMESPACE, NAME, module)
        status, out, err = run([doc, fqcn], env, quiet=True)
        noise = [line for line in err.splitlines() if line.strip()]
        if noise:
            print("\n".join(noise))
            raise CheckFailed("ansible-doc %s wrote to stderr (warnings or errors)" % fqcn)
        for section in ("OPTIONS", "ATTRIBUTES", "NOTES", "SEE ALSO", "EXAMPLES", "RETURN VALUES"):
            if section not in out:
                raise CheckFailed("ansible-doc %s shows no %s section" % (fqcn, section))
    status, out, err = run([doc, "--json"] + ["%s.%s.%s" % (NAMESPACE, NAME, m) for m in MODULES], env, quiet=True)
    docs = json.loads(out)
    # tools/probes/doc_probe.py compares the documentation with the code.
    status, output = run_probe(bindir, "doc_probe", stdin_data=json.dumps(docs))
    if status:
        print(output)
        raise CheckFailed("the module documentation is incomplete or does not match the code")
    # Keep the EXAMPLES as a playbook for the ansible-lint check.
    for fqcn, entry in docs.items():
        path = os.path.join(scratch, "examples-%s.yml" % fqcn.split(".")[-1])
        with open(path, "w") as handle:
            handle.write("---\n- name: EXAMPLES of %s\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" % fqcn)
            handle.write(textwrap.indent(entry["examples"].strip("\n") + "\n", "    "))
    return "%d module(s) render; samples, env vars, attributes, seealso present" % len(MODULES)


def check_antsibull_docs(bindir, tree, scratch):
    env = tool_env(bindir)
    status, out, err = run([os.path.join(bindir, "antsibull-docs"), "lint-collection-docs", "--plugin-docs",
                            "--check-extra-docs-refs", "."], env, check=False, quiet=True)
    text = (out + err).strip()
    if status or text:
        print(text)
        raise CheckFailed("antsibull-docs lint-collection-docs reported problems")
    note = "docs/docsite and plugin docs lint clean"
    with open(os.path.join(ROOT, "docs", "docsite", "extra-docs.yml")) as handle:
        listed = set(re.findall(r"^\s*-\s*(\S+)\s*$", handle.read(), re.M))
    unlisted = sorted(os.path.basename(path)[:-4] for path in glob.glob(os.path.join(ROOT, "docs", "docsite", "rst", "*.rst"))
                      if os.path.basename(path)[:-4] not in listed)
    if unlisted:
        note += "; NOTE: not in docs/docsite/extra-docs.yml: %s" % ", ".join(unlisted)
    return note


def check_changelog(bindir, tree, scratch, write=False):
    env = tool_env(bindir)
    changelog = os.path.join(bindir, "antsibull-changelog")
    status, out, err = run([changelog, "lint"], env, check=False, quiet=True)
    if status or (out + err).strip():
        print(out + err)
        raise CheckFailed("antsibull-changelog lint reported problems")
    version = galaxy_version()
    copy = os.path.join(scratch, "changelog-tree")
    os.makedirs(copy)
    for name in ("galaxy.yml", "CHANGELOG.rst", "changelogs", "plugins", "meta"):
        source = os.path.join(ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(copy, name))
        elif os.path.exists(source):
            shutil.copy2(source, os.path.join(copy, name))
    # Release notes of the version in galaxy.yml from every fragment present now (kept, not deleted), refreshed when
    # that release already exists. The date is pinned to the committed one so that the comparison below is stable.
    command = [changelog, "release", "--version", version, "--update-existing", "--refresh-fragments",
               "without-archives"]
    committed_yaml = os.path.join(ROOT, "changelogs", "changelog.yaml")
    if os.path.exists(committed_yaml):
        match = re.search(r"^  %s:\n(?:    .*\n)*?    release_date: '?([0-9-]+)" % re.escape(version),
                          open(committed_yaml).read(), re.M)
        if match:
            command += ["--date", match.group(1)]
    # Twice: a release that did not exist yet gets its trivial entries only on the refreshing second pass.
    run(command, env, cwd=copy, quiet=True)
    run(command, env, cwd=copy, quiet=True)
    run([changelog, "lint-changelog-yaml", os.path.join(copy, "changelogs", "changelog.yaml")], env, quiet=True)
    with open(os.path.join(copy, "CHANGELOG.rst")) as handle:
        rst = handle.read()
    if "v%s" % version not in rst:
        raise CheckFailed("the generated CHANGELOG.rst has no v%s section" % version)
    fragments = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*.y*ml")))
    stale = []
    for name in ("CHANGELOG.rst", os.path.join("changelogs", "changelog.yaml")):
        new = open(os.path.join(copy, name)).read()
        old_path = os.path.join(ROOT, name)
        old = open(old_path).read() if os.path.exists(old_path) else None
        if old != new:
            if write:
                with open(old_path, "w") as handle:
                    handle.write(new)
                log("Wrote %s" % name)
            else:
                stale.append(name)
    note = "release notes for %s generate from %d fragment(s)" % (version, len(fragments))
    if stale:
        # Not an error: fragments land before the release notes are regenerated at release time.
        note += "; NOTE: committed %s lag behind the fragments (run tools/ecosystem_check.py --write-changelog)" % (
            " and ".join(stale))
    return note


def check_execution_environment(bindir, tree, scratch):
    env = tool_env(bindir)
    builder = os.path.join(bindir, "ansible-builder")
    status, out, err = run([builder, "introspect", "--sanitize", os.path.join(WORK, "collections")], env, quiet=True)
    python = []
    section = None
    for line in out.splitlines():
        if re.match(r"^\w+:", line):
            section = line.split(":")[0]
            continue
        match = re.match(r"^-\s+'?([^'#]+?)\s*(#.*)?'?$", line.strip())
        if section == "python" and match:
            python.append((match.group(1).strip(), (match.group(2) or "").strip("# '")))
    names = sorted(name for name, _source in python)
    if names != ["requests"] or "hwc.dcs" not in python[0][1]:
        print(out)
        raise CheckFailed("ansible-builder introspect should list exactly requests (from collection hwc.dcs), got %r"
                          % python)
    # The execution environment definition shown in the AWX guide must be one ansible-builder accepts.
    guide = os.path.join(ROOT, "docs", "docsite", "rst", "guide_awx.rst")
    definitions = [block for block in rst_yaml_blocks(guide) if re.search(r"^version: 3$", block, re.M)
                   and "dependencies:" in block]
    if len(definitions) != 1:
        raise CheckFailed("expected one execution-environment.yml (version: 3) code block in %s, found %d"
                          % (os.path.relpath(guide, ROOT), len(definitions)))
    context = os.path.join(scratch, "ee")
    os.makedirs(context)
    with open(os.path.join(context, "execution-environment.yml"), "w") as handle:
        handle.write(definitions[0])
    run([builder, "create", "-f", "execution-environment.yml", "--context", os.path.join(context, "context")], env,
        cwd=context, quiet=True)
    return "introspect lists requests (from hwc.dcs); the guide's EE definition passes ansible-builder create"


def check_awx_credential_type(bindir, tree, scratch):
    guide = os.path.join(ROOT, "docs", "docsite", "rst", "guide_awx.rst")
    blocks = [block for block in rst_yaml_blocks(guide) if re.search(r"^(fields|env|file):", block, re.M)]
    # tools/probes/awx_probe.py checks the credential type against the code.
    status, output = run_probe(bindir, "awx_probe", stdin_data=json.dumps(blocks))
    if status:
        print(output)
        raise CheckFailed("the AWX guide's credential type does not match what the collection reads")
    return "%d definitions: fields exist, secrets marked, every injected variable is one the code reads" % len(blocks)


def check_galaxy_importer(bindir, tree, scratch, tarball):
    env = tool_env(bindir, GALAXY_IMPORTER_CONFIG=IMPORTER_CFG)
    env.pop("ANSIBLE_COLLECTIONS_PATH")
    workdir = os.path.join(scratch, "importer")
    os.makedirs(workdir)
    status, out, err = run([os.path.join(bindir, "python"), "-m", "galaxy_importer.main", tarball], env, cwd=workdir,
                           check=False, quiet=True)
    text = out + err
    bad = [line for line in text.splitlines() if re.match(r"^\s*(WARNING|ERROR|CRITICAL)\b", line)
           or "Traceback" in line]
    if status or bad or "Importer processing completed successfully" not in text:
        print(text)
        raise CheckFailed("galaxy-importer reported %d warning(s) or error(s)" % len(bad))
    version = re.search(r"galaxy-importer (\S+)", text)
    return "galaxy-importer %s: no error, no warning" % (version.group(1) if version else "")


def check_ansible_lint(bindir, tree, scratch):
    env = tool_env(bindir)
    targets = sorted(glob.glob(os.path.join(ROOT, "playbooks", "*.yml")))
    missing = [name for name in ("demo.yml", "change-window.yml")
               if not os.path.exists(os.path.join(ROOT, "playbooks", name))]
    snippets = os.path.join(scratch, "lint")
    os.makedirs(snippets)
    for path in glob.glob(os.path.join(scratch, "examples-*.yml")):
        shutil.copy(path, snippets)
    count = 0
    for guide in sorted(glob.glob(os.path.join(ROOT, "docs", "docsite", "rst", "*.rst"))):
        for block in rst_yaml_blocks(guide):
            if not re.search(r"^- name: .*\n  hosts: ", block, re.M):
                continue  # only whole playbooks are linted; task excerpts and other YAML are parsed
            count += 1
            with open(os.path.join(snippets, "%s-%d.yml" % (os.path.basename(guide)[:-4], count)), "w") as handle:
                handle.write(block if block.startswith("---") else "---\n" + block)
    lint_files = sorted(glob.glob(os.path.join(snippets, "*.yml")))
    # The whole project as ansible-lint finds it (playbooks/, galaxy.yml, meta/, ...; see .ansible-lint for what is
    # excluded), then the EXAMPLES and the docs' playbooks, which live in the scratch directory.
    processed = []
    for paths in ([], lint_files):
        status, out, err = run([os.path.join(bindir, "ansible-lint"), "--profile", "production", "--offline",
                                "--nocolor", "-c", os.path.join(ROOT, ".ansible-lint")] + paths, env, check=False,
                               quiet=True)
        if status:
            print(out)
            print(err)
            raise CheckFailed("ansible-lint (production profile) reported problems in %s"
                              % ("the project" if not paths else "the module EXAMPLES or the docs' playbooks"))
        match = re.search(r"in (\d+) files processed", err + out)
        processed.append(match.group(1) if match else "?")
    note = "production profile clean: project (%s files, %d playbook(s)), %d module EXAMPLES, %d docs playbook(s)" % (
        processed[0], len(targets), len(lint_files) - count, count)
    if missing:
        note += "; NOTE: playbooks/%s not present yet" % ", playbooks/".join(missing)
    return note


def rst_yaml_blocks(path):
    """The YAML code blocks of an RST file (``.. code-block:: yaml`` or ``yaml+jinja``), dedented."""
    with open(path) as handle:
        lines = handle.read().splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        if re.match(r"^\s*\.\. code-block:: yaml(\+jinja)?\s*$", lines[index]):
            index += 1
            while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith(":")):
                index += 1
            body = []
            while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t"))):
                body.append(lines[index])
                index += 1
            blocks.append(textwrap.dedent("\n".join(body)).strip("\n") + "\n")
        else:
            index += 1
    return blocks


def check_docs_yaml(bindir):
    """Every YAML code block of the guides parses (tools/probes/yaml_probe.py, inside the venv, which has PyYAML)."""
    scratch = tempfile.mkdtemp(prefix="hwc-dcs-yaml-")
    try:
        paths = []
        for guide in sorted(glob.glob(os.path.join(ROOT, "docs", "docsite", "rst", "*.rst"))):
            for number, block in enumerate(rst_yaml_blocks(guide)):
                path = os.path.join(scratch, "%s-%d.yml" % (os.path.basename(guide), number))
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(block)
                paths.append(path)
        status, output = run_probe(bindir, "yaml_probe", paths)
        if status:
            print(output)
            bad = output.split(":", 1)[0]
            if os.path.exists(bad):
                with open(bad, encoding="utf-8") as handle:
                    print(handle.read())
            raise CheckFailed("a YAML code block of %s does not parse" % os.path.basename(bad).rsplit("-", 1)[0])
        return len(paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _try_lock(fcntl, handle):
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def run_checks(wanted, bindir, tree, tarball, write_changelog):
    """Run the ``wanted`` checks (ansible-doc too when ansible-lint is wanted: it writes the EXAMPLES); their rows."""
    checks = {
        "ansible-doc": check_ansible_doc,
        "antsibull-docs": check_antsibull_docs,
        "changelog": lambda bindir, tree, scratch: check_changelog(bindir, tree, scratch, write=write_changelog),
        "execution-environment": check_execution_environment,
        "awx-credential-type": check_awx_credential_type,
        "galaxy-importer": lambda bindir, tree, scratch: check_galaxy_importer(bindir, tree, scratch, tarball),
        "ansible-lint": check_ansible_lint,
    }
    rows = []
    scratch = tempfile.mkdtemp(prefix="hwc-dcs-ecosystem-")
    try:
        for name in CHECKS:
            if name not in wanted and not (name == "ansible-doc" and "ansible-lint" in wanted):
                continue
            log("Check: %s" % name)
            begin = time.time()
            try:
                note, ok = checks[name](bindir, tree, scratch), True
            except (ToolError, subprocess.CalledProcessError, ValueError, OSError) as exc:
                ok, note = False, str(exc)
                print("FAILED: %s: %s" % (name, note), flush=True)
            rows.append((name, ok, time.time() - begin, note))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated subset of: %s" % ",".join(CHECKS))
    parser.add_argument("--write-changelog", action="store_true",
                        help="write the regenerated CHANGELOG.rst and changelogs/changelog.yaml back to the tree")
    args = parser.parse_args(argv)
    wanted = CHECKS if not args.only else tuple(name.strip() for name in args.only.split(","))
    unknown = sorted(set(wanted) - set(CHECKS))
    if unknown:
        parser.error("unknown check(s): %s" % ", ".join(unknown))

    started = time.time()
    rows = []
    os.makedirs(WORK, exist_ok=True)
    lock = open(os.path.join(os.path.dirname(WORK), "ecosystem.lock"), "w")
    try:
        import fcntl
        if not _try_lock(fcntl, lock):
            log("Another ecosystem check runs in this tree; waiting for it to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover - not POSIX
        pass
    try:
        begin = time.time()
        bindir = ensure_venv()
        rows.append(("venv .venv-docs", True, time.time() - begin, ""))
        begin = time.time()
        tarball, tree = build(bindir)
        blocks = check_docs_yaml(bindir)
        rows.append(("build, install, docs YAML", True, time.time() - begin,
                     "%s; %d YAML block(s) parse" % (os.path.basename(tarball), blocks)))
    except (ToolError, subprocess.CalledProcessError) as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 2

    rows.extend(run_checks(wanted, bindir, tree, tarball, args.write_changelog))
    print()
    print("Ecosystem checks (%.0f s):" % (time.time() - started))
    for name, ok, seconds, note in rows:
        print("  %-26s %-4s %5.0f s  %s" % (name, "ok" if ok else "FAIL", seconds, note))
    failed = sum(1 for row in rows if not row[1])
    print("ecosystem checks: %d ok, %d failing" % (len(rows) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
