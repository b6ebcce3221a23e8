"""The window's rating pad (评价器) screen: `view.PadView` and its screens. Its Qt-free logic
(what the window is doing) is `kiosk.models.pad`."""
