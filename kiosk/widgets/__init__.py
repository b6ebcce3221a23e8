"""Widgets shared by the screen roles."""
