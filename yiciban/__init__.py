"""yiciban (一次办): edge software for government service halls.

This small package holds what every role shares: the command line, logging with the
personal-data filter, and where files live. It imports no other yiciban package at
import time; the command line loads a role's package only when that role is asked for.
"""

__version__ = "0.1.0"
