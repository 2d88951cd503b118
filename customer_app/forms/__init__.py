"""The customer app's forms."""
