"""Device drivers (ID-card readers, receipt printers, document cameras) and their simulators.

Drivers talk to a transport chosen by URL and never import ``kiosk`` or ``screens``.
"""
