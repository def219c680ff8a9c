"""A JWKS server over TLS for cli/tests/serve_api.rs: what Cognito's https:// issuers are, with a
throwaway certificate authority made here (the `cryptography` package of the test venv).

Usage: python jwks_tls_server.py JWKS_JSON
Prints one JSON line: {"port": …, "ca": PATH, "other_ca": PATH}. `ca` signed the server's
certificate (for localhost and 127.0.0.1); `other_ca` is an unrelated CA, for a client that must
refuse the server. Serves GET /local_pool/.well-known/jwks.json over TLS on 127.0.0.1 until its
stdin reaches EOF (it dies with the test), then removes its files.
"""

import datetime
import ipaddress
import json
import os
import shutil
import ssl
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

JWKS_PATH = "/local_pool/.well-known/jwks.json"


def certificate_authority(name, now):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def server_certificate(ca_key, ca_cert, now):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def main():
    jwks = sys.argv[1].encode()
    directory = tempfile.mkdtemp(prefix="usernames-jwks-tls-")
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, ca_cert = certificate_authority("usernames serve test CA", now)
    _, other_cert = certificate_authority("an unrelated test CA", now)
    key, cert = server_certificate(ca_key, ca_cert, now)
    pem = serialization.Encoding.PEM
    ca = write(os.path.join(directory, "ca.pem"), ca_cert.public_bytes(pem))
    other_ca = write(os.path.join(directory, "other_ca.pem"), other_cert.public_bytes(pem))
    cert_path = write(os.path.join(directory, "cert.pem"), cert.public_bytes(pem))
    key_path = write(
        os.path.join(directory, "key.pem"),
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == JWKS_PATH:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(jwks)))
                self.end_headers()
                self.wfile.write(jwks)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    # A client that refuses the certificate fails the handshake in accept(); socketserver drops
    # that connection and goes on serving.
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(
        json.dumps({"port": server.server_address[1], "ca": ca, "other_ca": other_ca}),
        flush=True,
    )
    sys.stdin.buffer.read()
    server.shutdown()
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
