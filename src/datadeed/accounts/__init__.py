"""Organizations, users, roles, API tokens, page sessions and the audit log."""
