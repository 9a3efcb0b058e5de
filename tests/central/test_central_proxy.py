"""Deployment beyond one machine, as far as it runs here: nginx (Debian's) on 127.0.0.1 ends TLS
with a self-signed certificate in front of two centre nodes on one PostgreSQL, using the
example configuration's proxy settings; and ``serve --cert --key`` serves HTTPS itself."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from central.credentials import create_pairing_code
from central.db import make_engine, make_sessionmaker
from central.embedded import CentralProcess
from central.pgcluster import PgCluster
from wire import signing

pytestmark = pytest.mark.postgres
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "nginx-kiosk-central.conf"


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _location_block() -> str:
    """The example's ``location /`` block, so the test runs the documented proxy settings."""
    text = EXAMPLE.read_text()
    start = text.index("    location / {")
    return text[start:text.index("\n    }\n", start) + 6]


@pytest.fixture(scope="module")
def proxied(
    pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, str]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is needed for this test: apt-get install nginx")
    folder = tmp_path_factory.mktemp("proxy")
    cert, key = self_signed(folder)
    url = pg_cluster.database()
    nodes = [CentralProcess(folder, url).start(), CentralProcess(folder, url).start()]
    port = _free_port()
    upstreams = "\n".join(f"        server 127.0.0.1:{node.port};" for node in nodes)
    (folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream kiosk_central {{
        least_conn;
{upstreams}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        client_max_body_size 64m;
{_location_block()}
    }}
}}
""")
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(base + "/openapi.json", verify=str(cert), timeout=2)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
            time.sleep(0.1)
    try:
        yield base, cert, url
    finally:
        process.terminate()
        process.wait(timeout=10)
        for node in nodes:
            node.stop()


def test_kiosks_work_through_nginx_with_tls_and_replays_are_refused(proxied: tuple) -> None:
    base, cert, url = proxied
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        code = create_pairing_code(db, 600)[0]
    engine.dispose()
    enrolled = requests.post(base + "/api/v1/enrol", json={"pairing_code": code},
                             verify=str(cert), timeout=10)
    assert enrolled.status_code == 201, enrolled.text
    kiosk_id, secret = enrolled.json()["kiosk_id"], bytes.fromhex(enrolled.json()["secret"])
    with requests.Session() as http:  # verify= per request: REQUESTS_CA_BUNDLE beats Session.verify
        statuses = []
        for _ in range(6):  # least_conn spreads them over both nodes
            body = json.dumps({"kiosk_id": kiosk_id, "sent_at": "2026-05-01T08:00:00Z"}).encode()
            headers = signing.sign_headers(secret, kiosk_id, "POST", "/api/v1/heartbeat", body)
            headers["Content-Type"] = "application/json"
            statuses.append(http.post(base + "/api/v1/heartbeat", data=body, headers=headers,
                                      verify=str(cert), timeout=10).status_code)
            replay = http.post(base + "/api/v1/heartbeat", data=body, headers=headers,
                               verify=str(cert), timeout=10)
            assert (replay.status_code, replay.json()["error"]) == (409, "replay")
        assert statuses == [200] * 6
    plain = f"http://{base.removeprefix('https://')}"
    assert requests.get(plain + "/openapi.json", timeout=5).status_code == 400  # TLS only


def test_serve_with_cert_and_key_speaks_https(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with CentralProcess(tmp_path, tls=(cert, key)) as node:
        assert node.url.startswith("https://")
        reply = requests.post(node.url + "/api/v1/enrol", json={"pairing_code": "0"},
                              verify=str(cert), timeout=10)
        assert (reply.status_code, reply.json()["error"]) == (404, "pairing_code_unknown")
        with pytest.raises(requests.exceptions.SSLError):  # our certificate, not a trusted one
            requests.get(node.url + "/openapi.json", verify=True, timeout=5)
