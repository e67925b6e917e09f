"""The socket hub: the one long-lived server between browsers and the system.

Browsers connect over Socket.IO with their JWT; the hub pushes alerts and support
chat from RabbitMQ to the right rooms, and relays what browsers send (chat
messages, typing, read receipts) to the conversations function. Replicas share
rooms through Redis.
"""
