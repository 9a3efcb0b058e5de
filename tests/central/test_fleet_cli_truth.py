"""``kiosk-central`` tells the truth: no command to a revoked kiosk, plain words when the database is down."""

from __future__ import annotations

import pytest
from central_helpers import SignedKiosk

from central.cli import main
from central.embedded import EmbeddedCentral
from central.pgcluster import PgCluster


def test_a_command_to_a_revoked_kiosk_is_refused(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ["--server", central.url, "--token", admin_token]
    assert main(["revoke", kiosk.kiosk_id, *server]) == 0
    capsys.readouterr()
    assert main(["command", kiosk.kiosk_id, "reload_catalog", *server]) == 43
    assert "revoked" in capsys.readouterr().err


@pytest.mark.parametrize("db", ["postgresql+psycopg://nobody@127.0.0.1:1/nodb", "mysql://someone@host/db", "nonsense"])
def test_serve_with_an_unusable_database_prints_one_clear_error(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    assert main(["serve", "--db", db, "--data", str(tmp_path), "--port", "0"]) == 41
    err = capsys.readouterr().err
    assert err.startswith("error: Cannot open the database") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.postgres
def test_a_centre_whose_database_is_down_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    cluster = PgCluster().start()
    try:
        server = EmbeddedCentral(cluster.database()).start()
        try:
            token = server.token("admin")
            cluster.stop()
            assert main(["kiosks", "--server", server.url, "--token", token]) == 43
            err = capsys.readouterr().err
            assert "cannot reach its database" in err and "(500)" not in err
        finally:
            server.stop()
    finally:
        cluster.stop()
