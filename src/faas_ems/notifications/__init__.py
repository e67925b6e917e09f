"""The notifications context: alerts that reach people away from the page.

It owns each user's choice of channel per severity (in the app only, e-mail, a webhook),
their quiet hours, a copy of what it needs of users (e-mail, time zone) and the log of
every notification sent or skipped.
"""
