import secrets
from typing import cast

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from common.fragments import STORE, fingerprint

register = template.Library()

# Stands for the request's CSRF token in a kept fragment; the real one is put in on the way out.
_TOKEN = f"csrf{secrets.token_hex(16)}"
_DIGESTS = "fragments.digests"  # in the render context: each value's digest for this drawing
_FIELD = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_TOKEN}">'


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.values = values

    def render(self, context: template.Context) -> str:
        # The token is read only where the fragment holds a form: reading it sets the CSRF cookie.
        token = context.get("csrf_token")
        if token is None:
            return self.nodelist.render(context)
        key = fingerprint(
            self.origin.name,
            self.token.position if self.token else None,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            [_digest(context, value.resolve(context)) for value in self.values],
        )
        html = STORE.get(key)
        if html is None:
            with context.push(csrf_token=_TOKEN):
                html = self.nodelist.render(context)
            STORE.put(key, html)
        if _TOKEN in html:
            real = str(token)
            if real == "NOTPROVIDED":  # as {% csrf_token %} draws it: no field at all
                html = html.replace(_FIELD, "")
            html = html.replace(_TOKEN, real)
        return mark_safe(html)


def _digest(context: template.Context, value: object) -> str:
    """The value's fingerprint, worked out once per drawing of the page: a list every card reads
    (the salon's staff, say) is not walked again for each card. The value is held with its digest,
    so its id names it until the page is drawn."""
    known = cast(dict[int, tuple[object, str]], context.render_context.setdefault(_DIGESTS, {}))  # type: ignore[arg-type]
    found = known.get(id(value))
    if found is None:
        found = known[id(value)] = (value, fingerprint(value))
    return found[1]


@register.tag
def fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    """{% fragment karte forloop.first today %}…{% endfragment %}: the enclosed HTML, drawn once and
    kept (common.fragments) under a digest of the listed values, of every record they hold, and of
    the language and time zone. List every value the enclosed part reads from the page around it;
    the request's CSRF token is the only one it may read unlisted."""
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, values)
