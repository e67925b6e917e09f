"""faas-ems on one machine: the ``ems`` command and the gateway-compatible front."""
