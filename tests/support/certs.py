# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One certificate factory: a fresh test CA and a server certificate it signed, for 127.0.0.1 and localhost.

Made with ``cryptography`` (an ansible-core dependency, so present wherever the tests run);
without it the calling test is skipped (unittest.SkipTest, which pytest honours).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import os
import ssl
import unittest


class Certificates:
    """PEM file paths: ``ca_file`` (the CA to trust), ``cert_file`` and ``key_file`` (the server's)."""

    def __init__(self, ca_file, cert_file, key_file):
        self.ca_file = ca_file
        self.cert_file = cert_file
        self.key_file = key_file

    def server_context(self):
        """An ssl.SSLContext for a server presenting the certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _crypto():
    try:
        from cryptography import x509  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
        from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - cryptography comes with ansible-core
        raise unittest.SkipTest("the cryptography package is needed to make test certificates")
    return x509, hashes, serialization, ec, NameOID


def _certificate(crypto, subject, issuer, public_key, signing_key, is_ca):
    x509, hashes, _serialization, _ec, _oid = crypto
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if is_ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
                                        critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def make_certificates(directory):
    """Write ca.pem, srv.pem and srv.key (the server's certificate and key) into ``directory``; return their Certificates."""
    crypto = _crypto()
    x509, _hashes, serialization, ec, name_oid = crypto
    directory = str(directory)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    server_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(name_oid.COMMON_NAME, "hwc.dcs test CA")])
    server_name = x509.Name([x509.NameAttribute(name_oid.COMMON_NAME, "127.0.0.1")])
    ca_cert = _certificate(crypto, ca_name, ca_name, ca_key.public_key(), ca_key, True)
    server_cert = _certificate(crypto, server_name, ca_name, server_key.public_key(), ca_key, False)
    paths = Certificates(os.path.join(directory, "ca.pem"), os.path.join(directory, "srv.pem"),
                         os.path.join(directory, "srv.key"))
    pem = serialization.Encoding.PEM
    with open(paths.ca_file, "wb") as handle:
        handle.write(ca_cert.public_bytes(pem))
    with open(paths.cert_file, "wb") as handle:
        handle.write(server_cert.public_bytes(pem))
    with open(paths.key_file, "wb") as handle:
        handle.write(server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def self_signed_context(directory):
    """A server TLS context with a fresh CA-signed certificate for 127.0.0.1; returns (context, ca_file)."""
    certificates = make_certificates(directory)
    return certificates.server_context(), certificates.ca_file
