# hwc.dcs developer entry points. Everything runs from a fresh clone with python3, make and git.
#
#   make test                       ruff and yamllint, the ecosystem checks, build + tarball check,
#                                   ansible-test sanity (from a checkout and in the built tarball), units,
#                                   integration, the hostile-server and live-progress suites, on the newest
#                                   supported ansible-core (2.21, Python 3.12 or 3.13)
#   make test ANSIBLE_CORE=2.16     the same on the oldest (2.16, Python 3.11)
#   make test STAGES=lint,units     a subset of: ecosystem,lint,build,sanity,units,integration,hostile,progress
#
# Each release gets its own virtualenv (.venv-<release>) with pinned tools/requirements-<release>.txt.
# The shared logic of the tools (interpreters, virtualenvs, build-and-install) is tools/devlib/.

PYTHON ?= python3
ANSIBLE_CORE ?= 2.21
STAGES ?= ecosystem,lint,build,sanity,units,integration,hostile,progress

.PHONY: test ecosystem demo bench clean

# tools/harness.py; it ends with one `N passed, N failed, N skipped` line (.ci/run reads it) and exits non-zero on failure.
test:
	$(PYTHON) tools/harness.py --ansible-core $(ANSIBLE_CORE) --stages $(STAGES)

# What Galaxy, AWX and the docs site see: ansible-doc, antsibull-docs, changelog, ansible-builder,
# galaxy-importer, ansible-lint (tools/ecosystem_check.py, own virtualenv .venv-docs).
ecosystem:
	$(PYTHON) tools/ecosystem_check.py

# playbooks/demo.yml against the local DCS API emulator (playbooks/run-demo.sh), with the make-test virtualenv.
demo:
	@PYTHON="$(PYTHON)" ANSIBLE_CORE="$(ANSIBLE_CORE)" bash playbooks/run-demo.sh

# The benchmark against the local emulator (docs/docsite/rst/guide_benchmarks.rst); BENCH_ARGS="--help" lists options.
bench:
	$(PYTHON) benchmarks/bench.py $(BENCH_ARGS)

# Removes the build trees and ansible-test's output; the virtualenvs (.venv-*) stay.
clean:
	rm -rf .build tests/output
