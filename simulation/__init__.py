"""A kiosk that runs against simulators and an embedded central server, for scripts and tests.

* :func:`simulation.kiosk_state.prepare_state`: a throw-away state folder whose config points
  every device at its simulator, enrolled with a running central server;
* :func:`simulation.centre.stored_references`: which applications the centre holds for a kiosk.

``kiosk run --sim`` and the UI tests use exactly this, so they start the same kiosk.
"""
