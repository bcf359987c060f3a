from django.conf import settings


def shell(request):
    """What every page's shell needs: the language switch and whether to show the console link."""
    user = getattr(request, "user", None)
    is_staff_of_any = False
    if user is not None and user.is_authenticated:
        from tribe.brands.selectors import managed_brand_ids

        ids = managed_brand_ids(user)
        is_staff_of_any = ids is None or bool(ids)
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES, "show_console": is_staff_of_any}
