"""One-window registration: applications, review workflow, public notices, objections."""
