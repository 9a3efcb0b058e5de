"""``kiosk`` sub-commands that need the touchscreen front end (each module defines ``register``)."""
