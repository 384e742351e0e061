"""Mock courts (模拟法庭): judges' rubric scores, results per officer, reliability.

For other reports: ``officer_mockcourt_results(session, officer_ids=None)`` — one row per
officer and session (``session_id, date, officer_id, role, score``) as a pandas DataFrame.
"""

from .results import officer_mockcourt_results

__all__ = ["officer_mockcourt_results"]
