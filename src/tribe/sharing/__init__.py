"""Share links, share cards and QR codes for any registered kind of object (see registry.py)."""
