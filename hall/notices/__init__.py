"""The hall's printed notices as A4 PDFs: the four case notices and the 一次性告知单.

`model` holds what each case notice prints (built by the case domain), `render` draws a case
notice, `guide` draws a matter's 一次性告知单 for the kiosk, and `base` the page both share:
the embedded CJK font, the frame, the header with the document number, field tables, the QR,
the seal area and the footer. PDF bytes out; printing stays on the CUPS path.
"""
