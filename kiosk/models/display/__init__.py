"""The hall display's Qt-free logic: the board's content, its layout on one or more screens,
and sample boards for the screenshots."""
