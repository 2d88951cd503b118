"""Whatever colour an owner picks, text on it and the colour as text meet WCAG AA (4.5 : 1)."""

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from salons.colours import CANVAS, WHITE, brand_colours, contrast

colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda value: f"#{value:06x}")


@settings(max_examples=300, deadline=None)
@given(colours)
def test_every_theme_colour_gives_readable_pairs(theme):
    brand = brand_colours(theme)
    assert contrast(brand.fill, brand.on_fill) >= 4.5
    assert contrast(brand.ink, CANVAS) >= 4.5
    assert contrast(brand.ink, WHITE) >= 4.5


def test_a_colour_that_passes_is_kept_and_one_that_fails_is_deepened():
    assert brand_colours("#1f6feb").fill == "#1f6feb"  # white on it passes already
    pink = brand_colours("#b5838d")  # the demo salon: white on it is 3.2 : 1
    assert pink.fill != "#b5838d" and pink.on_fill == WHITE
    assert brand_colours("#ffe680").on_fill != WHITE  # a pastel keeps its look with dark text
    assert brand_colours("not a colour").fill  # a bad value never breaks a page


def test_pages_carry_the_salons_readable_colours(salon_a):
    salon_a.salon.theme_color = "#b5838d"
    salon_a.salon.save()
    page = salon_a.client().get(reverse("staff:customer_list")).content.decode()
    brand = brand_colours("#b5838d")
    assert f"--brand: {brand.fill}; --on-brand: {brand.on_fill}; --brand-ink: {brand.ink};" in page
