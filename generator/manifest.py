"""The web app manifest of a journal: "Add to home screen" gives the client an icon, with the
coach's name and logo, that opens their journal.

It carries the coach's branding only (like the unlock page), so it is published unencrypted
beside the unlock page: the browser reads it before anything is unlocked, and its start
address, the journal's own folder, shows the unlock page or, once unlocked, the journal.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from xml.sax.saxutils import escape

from generator.config import Branding
from generator.palette import primary_pair

MANIFEST = "manifest.webmanifest"
ICON = "brand-icon.svg"
TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def initials(name: str) -> str:
    """Up to two capital letters for the icon: "Rivera Wellbeing Coaching" → "RW"."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "J"


def icon_svg(branding: Branding) -> str:
    """A square icon: the practice's initials on its primary colour (readable contrast)."""
    background, text = primary_pair(branding.primary_colour)
    letters = escape(initials(branding.practice_name))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" rx="96" fill="{background}"/>'
        f'<text x="256" y="256" dy=".35em" text-anchor="middle" fill="{text}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{220 if len(letters) > 1 else 280}" font-weight="700">{letters}</text></svg>\n'
    )


def _png_size(path: Path) -> str | None:
    head = path.read_bytes()[:24]
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return f"{width}x{height}"


def manifest_json(branding: Branding, logo: Path | None, logo_name: str | None) -> str:
    """The manifest's text: names, colours, start address and icons (the generated one, and
    the coach's logo when it is a PNG or SVG)."""
    background, _ = primary_pair(branding.primary_colour)
    icons = [{"src": ICON, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]
    if logo is not None and logo_name is not None:
        suffix = logo.suffix.lower()
        size = "any" if suffix == ".svg" else _png_size(logo) if suffix == ".png" else None
        if size:
            icons.insert(0, {"src": logo_name, "sizes": size, "type": TYPES[suffix]})
    manifest = {
        "name": branding.practice_name,
        "short_name": branding.practice_name if len(branding.practice_name) <= 12 else
        initials(branding.practice_name),
        "description": f"Your coaching journal with {branding.coach_name}",
        "lang": branding.language,
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": background,
        "icons": icons,
    }  # fmt: skip
    return json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
