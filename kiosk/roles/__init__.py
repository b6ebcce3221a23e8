"""The screen roles: dispenser, kiosk terminal, hall display and evaluation pad."""
