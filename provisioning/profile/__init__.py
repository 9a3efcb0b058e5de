"""The kiosk profile: every file and command that turns a Debian box into a locked-down kiosk."""
