# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin of hwc.dcs.dcs_instance_switchover: progress lines while the module waits (see plugin_utils/_wait_action)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.plugin_utils._wait_action import WaitProgressAction


class ActionModule(WaitProgressAction):
    pass
