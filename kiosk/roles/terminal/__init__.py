"""The self-service terminal (自助终端, role "kiosk") screen: `view.TerminalView` and its flows.
Its Qt-free logic (ticket codes, the guides cache, sample answers) is `kiosk.models.terminal`."""
