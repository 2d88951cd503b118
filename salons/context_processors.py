def current_salon(request):
    member = getattr(request, "staff", None)
    return {
        "salon": getattr(request, "salon", None),
        "staff_member": member,
        # Phones, email, address and birthday: shown, or masked (the |masked filter).
        "sees_personal": member is not None and member.sees_personal,
    }
