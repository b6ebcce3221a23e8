"""The self-service terminal's Qt-free logic: ticket codes, the guides cache file, and sample
answers for the screenshots."""
