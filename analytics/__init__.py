"""Study time, compliance, mock-court and exam reports for HR."""
