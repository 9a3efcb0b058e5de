"""The contract between the kiosk and the central API, shared by both sides.

A leaf package: it imports nothing of ``devices``, ``kiosk``, ``screens`` or ``central``, so
the server loads the same models the kiosk sends without loading the kiosk.

* ``models``: the pydantic request and reply bodies;
* ``signing``: how a kiosk signs a request and the server checks it;
* ``errors``: :class:`~wire.errors.KioskError`, the root of every error the project raises.
"""
