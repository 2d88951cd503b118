from .models import ExportJob


def recent_exports(*, limit: int) -> list[ExportJob]:
    return list(ExportJob.objects.select_related("requested_by__staff_member")[:limit])
