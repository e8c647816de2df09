"""What a build knows of the engine (MkDocs, Material) without loading it: the versions of
its packages and Material's public assets, shared by every journal.

A built page depends on the versions (Material's asset names, its markup), so every client's
input hash and the page cache's salt hold them, and every build, one with nothing to do
too, checks the shared assets: neither loads MkDocs (`mkdocs_site.py` does, to render). The
versions are read from the names of the installed packages' folders
(`mkdocs_material-9.8.2.dist-info`) rather than with `importlib.metadata`, whose import alone
cost a no-change build a tenth.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

from generator.fs import write_atomic

PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")

DIST_INFO = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*?)-(?P<version>[^-]+)\.dist-info$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.lru_cache(maxsize=1)
def engine_version() -> str:
    """`mkdocs 1.6.1; mkdocs-material 9.8.2; …`: the versions this process would load (the
    first of each package on `sys.path`, as `import` finds them)."""
    wanted = {_normal(name): name for name in PACKAGES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            match = DIST_INFO.match(entry)
            key = _normal(match.group("name")) if match else None
            if key in wanted and key not in found:
                found[key] = match.group("version")
        if len(found) == len(wanted):
            break
    if len(found) < len(wanted):  # an unusual install: ask the package metadata
        from importlib import metadata

        return "; ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    return "; ".join(f"{name} {found[_normal(name)]}" for name in PACKAGES)


def engine_assets_dir() -> Path:
    """Material's own `assets/` (CSS, JS, fonts): the files that may be published in clear."""
    import material

    return Path(material.__file__).parent / "templates" / "assets"


def shared_assets(theme_dir: Path) -> dict[str, Path]:
    """The theme files every protected journal shares: `assets/<path>` → its source.

    Material's assets (but its source maps) and the theme's `assets/`: public, the same for
    every client, so published once at the site root (`site/assets/`) instead of in each
    client's folder; the pages of a protected journal link one level up to them.
    """
    found: dict[str, Path] = {}
    for folder in (engine_assets_dir(), theme_dir / "assets"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and path.suffix != ".map":
                found[f"assets/{path.relative_to(folder).as_posix()}"] = path
    return found


def write_shared_assets(site_root: Path, theme_dir: Path) -> None:
    """Make `site_root/assets/` hold exactly `shared_assets(theme_dir)`; unchanged files are
    left alone (so that publishing again uploads nothing)."""
    wanted = shared_assets(theme_dir)
    folder = site_root / "assets"
    for path in sorted(folder.rglob("*"), reverse=True) if folder.is_dir() else []:
        relative = path.relative_to(site_root).as_posix()
        if path.is_file() and relative not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative, source in wanted.items():
        target = site_root / relative
        data = source.read_bytes()
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        # Not synced one by one: a file a crash left short is found and written again here.
        write_atomic(target, data, mode=0o644, sync=False)
