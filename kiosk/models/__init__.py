"""The screens' logic that needs no Qt: search, voice planning, and each role's data (the
dispenser's queue loads and tickets, the display's board and layout, the pad's window watch,
the terminal's ticket codes and guides cache), tested without a QApplication. Nothing under
`kiosk.models` imports PySide6 (tests/unit/test_architecture.py checks it); the views under
`kiosk.roles` draw what these modules decide.
"""
