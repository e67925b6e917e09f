"""The small runtime every faas-ems function imports.

Platform concerns live here (settings and secrets, pools, tokens, guards, JSON
errors, events); domain logic lives in the functions and in ``contexts/``.
"""
