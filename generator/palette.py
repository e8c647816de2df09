"""The coach's colours made readable: text on the primary colour and links on the page reach
WCAG AA contrast (4.5:1) in light and dark mode, whatever colour the coach picked.

Material's own teal (#009485) carries white text at 3.76:1; here it is darkened just enough
(to #008578). The coach's hue stays; only its lightness moves.
"""

from __future__ import annotations

MATERIAL_COLOURS = {
    "red": "#ef5350", "pink": "#e92063", "purple": "#ab47bc", "deep-purple": "#7e56c2",
    "indigo": "#4051b5", "blue": "#2094f3", "light-blue": "#02a6f2", "cyan": "#00bdd6",
    "teal": "#009485", "green": "#4cae4f", "light-green": "#8bc34b", "lime": "#cbdc38",
    "yellow": "#ffec3d", "amber": "#ffc105", "orange": "#ffa724", "deep-orange": "#ff6e42",
    "brown": "#795649", "grey": "#757575", "blue-grey": "#546d78", "black": "#000000",
    "white": "#ffffff",
}  # fmt: skip
"""Material's primary colours, as its palette stylesheet defines them."""

AA = 4.5
WHITE, BLACK = "#ffffff", "#000000"
LIGHT_PAGE = "#f5f5f5"
DARK_PAGE = "#2e303e"
"""The pages' panels (Material's code background, a shade off the page in light mode and
lighter in dark mode): a link readable on them is readable on the page too."""


def hex_of(colour: str) -> str:
    """A Material colour name or `#rgb`/`#rrggbb` as `#rrggbb`."""
    if not colour.startswith("#"):
        return MATERIAL_COLOURS.get(colour, MATERIAL_COLOURS["teal"])
    value = colour[1:]
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return f"#{value.lower()}"


def _channels(colour: str) -> tuple[int, int, int]:
    value = hex_of(colour)[1:]
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _mix(colour: str, towards: str, amount: float) -> str:
    pairs = zip(_channels(colour), _channels(towards), strict=True)
    return "#" + "".join(f"{round(a + (b - a) * amount):02x}" for a, b in pairs)


def readable_on(colour: str, background: str, ratio: float = AA) -> str:
    """`colour`, moved towards black or white (whichever contrasts with `background`) just
    enough to reach `ratio` against it."""
    colour = hex_of(colour)
    target = BLACK if luminance(background) > 0.18 else WHITE
    for step in range(101):
        candidate = _mix(colour, target, step / 100)
        if contrast(candidate, background) >= ratio:
            return candidate
    return target


WHITE_TEXT_FROM = 3.0
"""Material puts white text on its mid colours (teal, red, blue: about 3.5:1). Those keep white
text and are darkened to reach 4.5:1; lighter colours (amber, lime) take black text."""


def primary_pair(colour: str) -> tuple[str, str]:
    """(background, text) for the header and buttons: the coach's colour with white text,
    darkened just enough where needed, or with black text when the colour is light."""
    colour = hex_of(colour)
    if contrast(WHITE, colour) >= WHITE_TEXT_FROM:
        return readable_on(colour, WHITE), WHITE
    return readable_on(colour, BLACK), BLACK


def palette_css(primary: str, accent: str) -> str:
    """Material's colour variables for the journal, readable in light and dark mode."""
    background, text = primary_pair(primary)
    light_link = readable_on(primary, LIGHT_PAGE)
    dark_link = readable_on(primary, DARK_PAGE)
    accent_hex = hex_of(accent)
    return (
        "[data-md-color-primary] {"
        f" --md-primary-fg-color: {background};"
        f" --md-primary-fg-color--light: {background}cc;"
        f" --md-primary-fg-color--dark: {background};"
        f" --md-primary-bg-color: {text};"
        f" --md-primary-bg-color--light: {text}b3;"
        f" --md-typeset-a-color: {light_link};"
        f" --md-accent-fg-color: {readable_on(accent_hex, LIGHT_PAGE)};"
        f" --md-accent-fg-color--transparent: {accent_hex}1a;"
        f" --rj-link: {light_link}; }}\n"
        "[data-md-color-scheme=slate][data-md-color-primary] {"
        f" --md-typeset-a-color: {dark_link};"
        f" --md-accent-fg-color: {readable_on(accent_hex, DARK_PAGE)};"
        f" --rj-link: {dark_link}; }}\n"
    )
