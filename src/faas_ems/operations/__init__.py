"""The operations context: what the system refused or could not route, until an operator acts."""
