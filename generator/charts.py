"""Progress at a glance, drawn at build time as inline SVG (no script, no request elsewhere).

    commitments: per session, the commitments made there (outlined bar) and, of those, the
                 ones done by now (filled bar)
    focus:       the most frequent focus areas (rows) across the sessions (columns)

Colours come from the theme's CSS classes, so the charts follow light and dark mode. Each chart
is an image with a title and a text description for screen readers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape

from generator.model import Recap, TrackedCommitment

WIDTH = 640
BAR_AREA = 140
ROW = 34
LABEL = 190
MAX_FOCUS_ROWS = 6


@dataclass(frozen=True)
class SessionProgress:
    """What one session added: commitments made there, and how many of them are done now."""

    number: int
    recap: Recap
    made: int
    kept: int


def progress_by_session(
    recaps: list[Recap], tracked: list[TrackedCommitment]
) -> list[SessionProgress]:
    """Commitments made and kept, by the session that made them (dropped ones count as made,
    not kept)."""
    made: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    for item in tracked:
        made[item.first.slug] += 1
        kept[item.first.slug] += item.commitment.status == "done"
    return [
        SessionProgress(number, recap, made[recap.slug], kept[recap.slug])
        for number, recap in enumerate(recaps, start=1)
    ]


def _axis_labels(count: int, step: float, left: float, y: float) -> list[str]:
    every = max(1, round(count / 8))
    return [
        f'<text class="rj-chart-axis" x="{left + (i + 0.5) * step:.1f}" y="{y}" '
        f'text-anchor="middle">{i + 1}</text>'
        for i in range(count)
        # every few sessions, and the last one, without two labels crowding at the end
        if (i % every == 0 and count - 1 - i >= every / 2) or i == count - 1
    ]


def commitments_chart(progress: list[SessionProgress]) -> str:
    """Bars of commitments made and kept per session, as an SVG string ('' without any)."""
    if not progress or not any(p.made for p in progress):
        return ""
    top = max(p.made for p in progress)
    step = (WIDTH - 40) / len(progress)
    bar = max(2.0, step * 0.7)
    parts = []
    for i, p in enumerate(progress):
        x = 30 + i * step + (step - bar) / 2
        made_h = BAR_AREA * p.made / top
        kept_h = BAR_AREA * p.kept / top
        parts.append(
            f'<rect class="rj-chart-made" x="{x:.1f}" y="{10 + BAR_AREA - made_h:.1f}" '
            f'width="{bar:.1f}" height="{made_h:.1f}"/>'
        )
        if p.kept:
            parts.append(
                f'<rect class="rj-chart-kept" x="{x:.1f}" y="{10 + BAR_AREA - kept_h:.1f}" '
                f'width="{bar:.1f}" height="{kept_h:.1f}"/>'
            )
    parts.append(f'<line class="rj-chart-base" x1="30" x2="{WIDTH - 10}" y1="{10 + BAR_AREA}" '
                 f'y2="{10 + BAR_AREA}"/>')  # fmt: skip
    parts.append(f'<text class="rj-chart-axis" x="24" y="24" text-anchor="end">{top}</text>')
    parts += _axis_labels(len(progress), step, 30, BAR_AREA + 36)
    described = "; ".join(f"session {p.number}: {p.made} made, {p.kept} done" for p in progress)
    return _svg(
        "rj-chart-commitments",
        "Commitments made and done, by session",
        described,
        BAR_AREA + 46,
        parts,
    )


def focus_chart(recaps: list[Recap]) -> str:
    """A dot for each session that worked on each of the most frequent focus areas."""
    counts = Counter(tag.casefold() for recap in recaps for tag in recap.focus)
    if not counts:
        return ""
    names = {tag.casefold(): tag for recap in recaps for tag in recap.focus}
    rows = [tag for tag, _ in counts.most_common(MAX_FOCUS_ROWS)]
    step = (WIDTH - LABEL - 10) / len(recaps)
    radius = max(2.0, min(9.0, step * 0.35))
    parts = []
    for row, tag in enumerate(rows):
        y = 18 + row * ROW
        parts.append(f'<text class="rj-chart-label" x="{LABEL - 12}" y="{y + 7}" '
                     f'text-anchor="end">{escape(names[tag][:14])}</text>')  # fmt: skip
        parts.append(f'<line class="rj-chart-track" x1="{LABEL}" x2="{WIDTH - 10}" y1="{y}" '
                     f'y2="{y}"/>')  # fmt: skip
        for i, recap in enumerate(recaps):
            if tag in (t.casefold() for t in recap.focus):
                parts.append(f'<circle class="rj-chart-dot" cx="{LABEL + (i + 0.5) * step:.1f}" '
                             f'cy="{y}" r="{radius:.1f}"/>')  # fmt: skip
    height = 18 + len(rows) * ROW
    parts += _axis_labels(len(recaps), step, LABEL, height + 6)
    described = "; ".join(
        f"{names[tag]}: sessions "
        + ", ".join(str(i) for i, r in enumerate(recaps, 1) if tag in map(str.casefold, r.focus))
        for tag in rows
    )
    return _svg("rj-chart-focus", "Focus areas over the sessions", described, height + 10, parts)


def _svg(ident: str, title: str, description: str, height: float, parts: list[str]) -> str:
    # One line per element and no blank line: Markdown keeps the block as raw HTML.
    return "\n".join(
        [
            f'<svg class="rj-chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{ident}-title">{escape(title)}</title>',
            f'<desc id="{ident}-desc">{escape(description)}</desc>',
            *parts,
            "</svg>",
        ]
    )


def progress_html(recaps: list[Recap], tracked: list[TrackedCommitment]) -> str:
    """The home page's progress block: both charts with their legends ('' with nothing to
    show)."""
    commitments = commitments_chart(progress_by_session(recaps, tracked))
    focus = focus_chart(recaps) if len(recaps) > 1 else ""
    if not commitments and not focus:
        return ""
    lines = ['<section class="rj-progress" aria-label="Progress">']
    if commitments:
        lines += [
            '<figure class="rj-figure">',
            '<p class="rj-chart-title">Commitments</p>',
            commitments,
            '<figcaption><span class="rj-key rj-key-made"></span> commitments made in the session '
            '<span class="rj-key rj-key-kept"></span> of those, done by now</figcaption>',
            "</figure>",
        ]
    if focus:
        lines += [
            '<figure class="rj-figure">',
            '<p class="rj-chart-title">Focus</p>',
            focus,
            "<figcaption>Focus areas, session by session</figcaption>",
            "</figure>",
        ]
    lines.append("</section>")
    return "\n".join(lines)
