"""The staff pages' forms, one module per subject as in staff/views/."""
