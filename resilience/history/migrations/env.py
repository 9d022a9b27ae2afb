"""Alembic environment: migrations run on the connection the store hands over (never a URL from a file)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
