from django import template

from customer_app.icons import icon_url

register = template.Library()


@register.simple_tag
def app_icon_url(salon, size):
    return icon_url(salon, int(size))
