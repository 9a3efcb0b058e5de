"""``kiosk run --script DIR`` without ``--sim`` walks the enrolled kiosk through its own centre."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from central.embedded import EmbeddedCentral
from simulation.centre import stored_references
from simulation.kiosk_state import prepare_state


def test_a_scripted_walk_without_sim_reaches_the_enrolled_centre(tmp_path: Path) -> None:
    state, out = tmp_path / "state", tmp_path / "out"
    with EmbeddedCentral(heartbeat_seconds=1.0) as centre:
        config = prepare_state(state, centre, out / "receipts")  # a lab kiosk: simulators, simulation: true
        env = {**os.environ, "KIOSK_STATE": str(state), "SDL_VIDEODRIVER": "offscreen",
               "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_ARGS": "1",
               "TMPDIR": str(tmp_path)}
        env.pop("DISPLAY", None)
        kiosk = Path(sys.executable).with_name("kiosk")
        done = subprocess.run([str(kiosk), "run", "--script", str(out),
                               "--scenario", "retirement"], env=env, capture_output=True,
                              text=True, timeout=400)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        # One short walk is enough to show the enrolled kiosk and its own centre are used.
        references = re.findall(r"reference (GJZ-[0-9A-Z-]+)", done.stdout)
        assert references, done.stdout
        assert set(references) <= set(stored_references(centre, config.kiosk_id))
    assert not any(p.name.startswith("kiosk-sim-state-") for p in tmp_path.iterdir())  # no throw-away state
