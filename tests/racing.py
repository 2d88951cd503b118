"""Run the same thing from many threads at once, each with its own database connection."""

import threading

import pytest
from django.db import connection, connections

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent writers"
)


def race(target, attempts: int) -> tuple[list, list]:
    """Start `attempts` threads together on `target`; return their results and their exceptions."""
    barrier = threading.Barrier(attempts)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
