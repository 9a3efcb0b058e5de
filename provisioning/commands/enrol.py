"""``kiosk-provision enrol``: pair this kiosk with the central API using a one-time code.

Already enrolled → says so, changes nothing and exits non-zero, unless ``--force`` (which carries
the outbox to the new identity, see :mod:`kiosk.enrolment`). What the centre or the network says
is turned into technician words that name the fix (never a citizen's "your application is saved").
The secret travels in the enrolment reply, so a plain ``http://`` centre is refused unless
``--insecure`` says this is a lab.
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from kiosk.central_client import (
    CentralRejected,
    CentralServerError,
    CentralTLSError,
    CentralUnreachable,
    EnrolmentRefused,
)
from kiosk.enrolment import enrol
from kiosk.errors import CentralError, ConfigError
from kiosk.paths import state_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enrol", help="pair this kiosk with the central API")
    parser.add_argument("--server", required=True, help="central API base URL, e.g. https://central:8700")
    parser.add_argument("--code", required=True, help="the one-time pairing code from the back office")
    parser.add_argument("--location", help="location name shown in the back office")
    parser.add_argument("--ca", help="CA certificate file (PEM) to verify the server's TLS certificate")
    parser.add_argument("--force", action="store_true", help="enrol again even if already enrolled")
    parser.add_argument("--insecure", action="store_true",
                        help="allow a plain http:// centre (a lab only: the kiosk's key travels in clear)")
    parser.set_defaults(handler=run)


class InsecureCentral(ConfigError):
    key = "enrol.insecure"


class BadServerUrl(ConfigError):
    key = "enrol.bad_url"


class AlreadyEnrolled(ConfigError):
    key = "enrol.already"


class EnrolFailed(CentralError):
    """Enrolment did not happen; the key says why in technician words (the code is unused)."""

    key = "enrol.unreachable"

    def __init__(self, key: str, detail: str, **params: object) -> None:
        super().__init__(detail, key=key, **params)


def explain(error: CentralError, server: str, ca: str | None) -> CentralError:
    """The error a technician should read for what went wrong while enrolling."""
    detail = error.detail
    if isinstance(error, CentralTLSError):
        if ca:
            return EnrolFailed("enrol.tls_untrusted", detail, server=server, ca=ca)
        return EnrolFailed("enrol.tls_failed", detail, server=server)
    if isinstance(error, CentralUnreachable):
        return EnrolFailed("enrol.unreachable", detail, server=server)
    code = str(error.params.get("error", ""))
    status = error.params.get("status")
    if isinstance(error, EnrolmentRefused) and code.startswith("pairing_code"):
        return error
    if isinstance(error, CentralRejected | EnrolmentRefused) or (
        isinstance(error, CentralServerError) and status is None
    ):
        # A 404/405 without the centre's own refusal, or a reply that is not the centre's JSON.
        return EnrolFailed("enrol.not_a_centre", detail, server=server)
    if isinstance(error, CentralServerError):
        return EnrolFailed("enrol.server_error", detail, server=server, status=status)
    return error


def check_server(url: str, insecure: bool) -> str:
    """The centre's base URL; plain http only when the technician said ``--insecure``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise BadServerUrl(f"--server {url!r}", server=url)
    if parts.scheme == "http" and not insecure:
        raise InsecureCentral(
            f"--server {url}: plain http would send this kiosk's key in clear; use https://, "
            "or add --insecure in a lab"
        )
    return url.strip().rstrip("/")


def run(args: argparse.Namespace) -> int:
    server = check_server(args.server, args.insecure)
    try:
        done = enrol(state_dir(), server, args.code, location=args.location, ca=args.ca,
                     force=args.force)
    except CentralError as error:
        raise explain(error, server, args.ca) from None
    if not done.changed:
        raise AlreadyEnrolled(f"enrolled with {done.config.central.url}", kiosk_id=done.config.kiosk_id)
    print(f"enrolled as {done.config.kiosk_id}; config written to {done.path}")
    return 0
