"""Device adapters: one sub-package per device kind, each with a pure codec, an implementation
that receives its transport, and a simulator that speaks the wire protocol from the device's side.

`drivers` imports no other yiciban package and never imports Qt.
"""
