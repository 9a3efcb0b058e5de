"""The kiosk runtime core: config, catalog and flow engine, session, outbox, central client, logs.

Headless by design: nothing here imports Kivy, so every flow can be walked by a script or a test.
"""

__version__ = "0.1.0"
