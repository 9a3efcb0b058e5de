"""The Kivy touchscreen front end: one module and one .kv file per screen."""
