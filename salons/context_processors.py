def current_salon(request):
    return {"salon": getattr(request, "salon", None), "staff_member": getattr(request, "staff", None)}
