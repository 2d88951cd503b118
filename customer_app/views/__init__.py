"""The customer app's pages, one module per subject as in staff/views/."""
