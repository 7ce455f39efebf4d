"""Alembic's entry point: migrations always run on the connection agentclinic hands over.

:func:`agentclinic.store.schema.upgrade` opens that connection and holds the database's
lock around it, so any number of processes may open a fresh database at once.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
