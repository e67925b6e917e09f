"""faas-ems."""
