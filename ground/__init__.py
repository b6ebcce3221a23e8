"""The ground floor: helpers every package of yiciban stands on.

`paths` (where files live), `privacy` (ID numbers and names: validate, mask, keyed hash,
redact) and `logs` (one line per event, with the personal-data filter). Nothing here imports
another package of the project, so `drivers`, `sync`, `hall`, `kiosk` and the command line
(`yiciban`) may all import it, and no import circle can run through it.
"""
