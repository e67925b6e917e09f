"""Connectors: RabbitMQ topics to functions (``python -m connector``) and schedules
(``python -m connector.cron``)."""
