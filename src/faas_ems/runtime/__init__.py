"""The small runtime every faas-ems process imports.

Platform concerns live here (settings and secrets, pools, tokens, guards, JSON
errors, events); domain logic lives in the contexts beside it and in the functions.
"""
