"""Technician tools: enrol a kiosk, find and test its devices, install it as a service."""
