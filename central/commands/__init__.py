"""Sub-commands of ``kiosk-central``; each module with ``register(subparsers)`` adds one."""
