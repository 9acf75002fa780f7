# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one library behind hwc.dcs's developer tools (``make test``, ``make ecosystem``, ``make bench``).

- :mod:`devlib.console`: ``log()`` and ``fail()``, the tools' one way to talk;
- :mod:`devlib.interpreters`: find a Python of a wanted version (PATH, then pyenv, then /usr);
- :mod:`devlib.venvs`: a virtualenv kept in step with a pinned requirements file;
- :mod:`devlib.collection`: build the collection tarball, check it, install it.

Standard library only, Python 3.8 or newer. The tools put ``tools/`` on ``sys.path`` and import
``devlib``; the unit tests import it as ``ansible_collections.hwc.dcs.tools.devlib``.
"""

from . import collection, console, interpreters, venvs  # noqa: F401  pylint: disable=unused-import

__all__ = ["collection", "console", "interpreters", "venvs"]
