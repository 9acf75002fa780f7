# hwc.dcs developer entry points. Everything runs from a fresh clone with python3, make and git.
#
#   make test                       lint, build + tarball check, ansible-test sanity/units/integration
#                                   on the newest supported ansible-core (2.21, Python 3.12 or 3.13)
#   make test ANSIBLE_CORE=2.16     the same on the oldest (2.16, Python 3.11)
#   make test STAGES=lint,units     a subset of: ecosystem,lint,build,sanity,units,integration
#
# Each release gets its own virtualenv (.venv-<release>) with pinned tools/requirements-<release>.txt.

PYTHON ?= python3
ANSIBLE_CORE ?= 2.21
STAGES ?= ecosystem,lint,build,sanity,units,integration

.PHONY: test ecosystem demo bench clean

# The harness runs `make ecosystem`'s checks as its first stage and counts them in its closing summary line.
test:
	$(PYTHON) tools/harness.py --ansible-core $(ANSIBLE_CORE) --stages $(STAGES)

# What Galaxy, AWX and the docs site see: ansible-doc, antsibull-docs, changelog, ansible-builder,
# galaxy-importer, ansible-lint (tools/ecosystem_check.py, own virtualenv .venv-docs).
ecosystem:
	$(PYTHON) tools/ecosystem_check.py

# Placeholder: the emulator work replaces this recipe with the demo against the local emulator.
demo:
	@PYTHON="$(PYTHON)" ANSIBLE_CORE="$(ANSIBLE_CORE)" bash playbooks/run-demo.sh

# The benchmark against the local emulator (docs/docsite/rst/guide_benchmarks.rst); BENCH_ARGS="--help" lists options.
bench:
	$(PYTHON) benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf .build tests/output
