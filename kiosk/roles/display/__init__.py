"""The hall display (叫号屏) screen: `view.DisplayView`, the board, its ticker and screens. Its
Qt-free logic (the board's content and layout, sample boards) is `kiosk.models.display`."""
