"""pcscd with vpcd for the tests: the stack lives with the driver (drivers/contactless/stack.py)."""
from drivers.contactless.stack import READER, PcscdStack, running_pcscd, unavailable_reason

__all__ = ["READER", "PcscdStack", "running_pcscd", "unavailable_reason"]
