# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for ansible-test's get-pip.py, written by tools/harness.py when the original cannot be downloaded.

Like get-pip.py, it runs pip from an embedded wheel to install the packages named on its command line into
the running interpreter. The harness writes a copy of this file into ansible-test's cache with the pip wheel
(base85) in place of the empty ``WHEEL`` below; this file itself, with no wheel, only says so.
"""

import base64
import os
import pkgutil
import shutil
import sys
import tempfile

WHEEL = ()  # HWC-DCS-WHEEL: the harness replaces this line


def install_arguments(argv):
    """pip install's arguments from get-pip.py's: get-pip options the embedded pip does not need are dropped."""
    return ["install", "--upgrade", "--force-reinstall"] + [arg for arg in argv if arg not in ("--no-setuptools", "--no-wheel")]


def main(argv):
    if not WHEEL:
        print("this is the template of the offline get-pip.py; tools/harness.py embeds the pip wheel", file=sys.stderr)
        return 2
    tmpdir = tempfile.mkdtemp()
    try:
        wheel = os.path.join(tmpdir, "pip.zip")
        with open(wheel, "wb") as handle:
            handle.write(base64.b85decode("".join(WHEEL)))
        sys.path.insert(0, wheel)
        # pylint: disable-next=import-outside-toplevel,import-error
        from pip._internal.cli.main import main as pip_main
        # pylint: disable-next=import-outside-toplevel,import-error
        from pip._internal.commands.install import InstallCommand

        cert_path = os.path.join(tmpdir, "cacert.pem")
        with open(cert_path, "wb") as handle:
            handle.write(pkgutil.get_data("pip._vendor.certifi", "cacert.pem"))
        parse_args = InstallCommand.parse_args

        def cert_parse_args(self, args):
            if not self.parser.get_default_values().cert:
                self.parser.defaults["cert"] = cert_path
            return parse_args(self, args)

        InstallCommand.parse_args = cert_parse_args
        return pip_main(install_arguments(argv))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
