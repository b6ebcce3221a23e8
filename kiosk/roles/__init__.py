"""The screen roles, a package each: `dispenser`, `terminal` (the role "kiosk"), `display` and
`pad`, each with its `view.py` (the role's view) beside its pages. What they decide without Qt
is in `kiosk.models`."""
