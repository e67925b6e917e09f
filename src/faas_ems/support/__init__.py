"""The support context: conversations, messages and their handoff state."""
