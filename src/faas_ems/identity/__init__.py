"""Identity: credentials, roles and users' profiles."""
