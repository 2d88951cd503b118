from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form sent from a page that has gone stale: say so plainly and offer the way back."""
    return render(request, "403_csrf.html", status=403)
