"""A database failure during a run is printed: it must not carry the database password."""

from agentclinic.store.engine import write_error


def test_the_message_names_the_database_without_its_password():
    error = write_error("postgresql+psycopg://runner:s3cret-pw@db.example:5432/clinic", OSError("gone"))
    assert "s3cret-pw" not in str(error) and "runner" not in str(error)
    assert "db.example:5432/clinic" in str(error)
