"""Inventory: metering devices and their assignment to users."""
