"""Reusable widgets of the kiosk UI (buttons, header, tiles); their rules are in the .kv files beside them."""
