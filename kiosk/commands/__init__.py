"""Sub-commands of ``kiosk``; each module registers one (see ``kiosk.cli_support``)."""
