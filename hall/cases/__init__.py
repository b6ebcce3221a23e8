"""The case (办件): what a citizen applied for, its materials, its promised date and its light.

Pure domain, like `hall.domain`: commands decide events, events fold into state, no I/O.
"""
