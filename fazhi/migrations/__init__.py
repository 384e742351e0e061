"""Alembic migrations of fazhi's database (linear: one head)."""
