"""The queue domain: pure Python, no I/O. Commands decide events; events fold into state."""
