"""The version of yiciban this machine runs, as its package says: the hall's health page and the
screens' heartbeats compare them (the floors above may not import the command line's package)."""
from __future__ import annotations

from importlib import metadata


def installed() -> str:
    """The installed distribution's version; "unknown" when run from a tree that is not installed."""
    try:
        return metadata.version("yiciban")
    except metadata.PackageNotFoundError:
        return "unknown"
