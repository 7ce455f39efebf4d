"""The store's one error type: every database problem, said in one line a person can act on."""


class StoreError(Exception):
    """The database is unusable (bad URL, unwritable, foreign, damaged, full); the message says what to do."""
