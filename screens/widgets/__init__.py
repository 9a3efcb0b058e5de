"""Reusable Kivy widgets shared by the screens (the on-screen keyboard)."""
