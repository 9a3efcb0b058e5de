"""Sub-commands of ``kiosk-provision``; each module registers one (see ``kiosk.cli_support``)."""
