"""fazhi (法治城管学院): the shared base package — settings, database, models, roster, CLI."""

__version__ = "0.1.0"
