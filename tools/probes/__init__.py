# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small programs the developer tools run with another interpreter (a candidate Python, a virtualenv's).

Each is a real file, linted and unit-tested like the rest: the tools run it as
``<python> tools/probes/<name>.py ...`` and read its output; the tests import its functions.
"""
