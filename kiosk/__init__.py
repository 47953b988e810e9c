"""Lantern: a discreet, offline, multilingual help kiosk."""

__version__ = "0.1.0"
