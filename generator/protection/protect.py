"""Protection: turn a finished plain MkDocs site into the encrypted site published for a client.

    site/<id>/index.html     the unlock page (the coach's branding only)
              unlock.js, keystore.js, lock.js, decrypt.js, inpage.js, sw.js, keyring.json,
              brand-logo.<ext>
              assets/…       Material's and the theme's own files, unencrypted: equal for all
              b/<name>       one encrypted blob per other file of the plain site

A file under `assets/` is published unencrypted only when its bytes equal the file of the same
name shipped by Material or by the theme's `assets/`; anything else there (a logo, colours,
a file a recap put there) is encrypted like the pages. The blob format is in `blobs.py`; the
browser side (unlock page, service worker, lock button) is in `themes/<name>/protect/`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.config import Branding, builtin_themes_dir
from generator.fs import inside, link_or_copy, write_atomic
from generator.manifest import ICON, MANIFEST, icon_svg, manifest_json
from generator.palette import primary_pair
from generator.protection import inventory
from generator.protection.blobs import (
    ProtectError,
    SiteKeys,
    blob_matches,
    blob_nonces,
    decrypt_blob,
    encrypt_file,
)
from generator.protection.keys import ClientSecrets

log = logging.getLogger(__name__)

SCRIPTS = ("unlock.js", "keystore.js", "lock.js", "decrypt.js")
"""The unlock page's scripts, published as they are."""
WITH_PUBLIC_LIST = ("sw.js", "inpage.js")
"""Scripts published with the list of unencrypted files filled in (service worker, in-page)."""
LOGO_NAME = "brand-logo"
RESERVED = {"keyring.json", *SCRIPTS, *WITH_PUBLIC_LIST, MANIFEST, ICON}
"""Top-level names of the protected site that the plain site's files can never take."""

__all__ = [
    "ProtectError",
    "ProtectReport",
    "decrypt_blob",
    "protect_site",
    "read_protected",
    "write_site_root",
]


@dataclass(frozen=True)
class ProtectReport:
    """What `protect_site` did, for the build's report."""

    encrypted: int
    """Blobs written (new or changed files)."""
    reused: int
    """Blobs taken unchanged from the previous site (no encryption)."""
    public: int
    """Theme files published unencrypted (Material's assets and the unlock page's files)."""
    bytes_encrypted: int
    """Plaintext bytes encrypted in this run."""
    seconds: float
    build: int = 0
    """The build number in the site's inventory (goes up whenever a file changes)."""
    inventory: str = ""
    """The fingerprint of the inventory's file list (`inventory.digest`)."""


def protect_site(
    plain_dir: Path,
    out_dir: Path,
    *,
    secrets: ClientSecrets,
    branding: Branding,
    theme_dir: Path,
    reuse_from: Path | None = None,
    project_dir: Path | None = None,
    manifest: Path | None = None,
    build_floor: int = 0,
    floor_digest: str = "",
) -> ProtectReport:
    """Write the protected site of the plain site `plain_dir` into the new folder `out_dir`.

    `reuse_from` is the client's previous protected site: a blob whose file did not change is
    taken from it instead of being encrypted again (checked by its keyed nonces, or, faster,
    by `manifest`: a private file of what each blob of the previous site was made from, read
    and rewritten here). Unchanged inputs give byte-identical output. `project_dir` resolves
    a relative `branding.logo`; without it the logo is taken from the plain site's
    `assets/logo.<ext>`. The site's encrypted inventory (`inventory.py`) gets a build number
    above `build_floor` whenever a file changed (`floor_digest`: that build's file list).
    """
    began = time.perf_counter()
    if not (plain_dir / "index.html").is_file():
        raise ProtectError(f"{plain_dir}: not a built site (no index.html)")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ProtectError(f"{out_dir}: expected a new, empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = SiteKeys.derive(secrets.content_key, secrets.site_id)
    originals = _asset_sources(theme_dir)

    public: list[str] = []
    names: dict[str, str] = {}
    encrypted = reused = plain_bytes = 0
    stamp = f"{FORMAT} {keys.key_check()}"
    known = _read_manifest(manifest, stamp) if reuse_from is not None else {}
    made: dict[str, list] = {}
    listed: dict[str, str] = {}  # path → its blob's nonces, for the inventory
    for source in sorted(p for p in plain_dir.rglob("*") if p.is_file()):
        path = source.relative_to(plain_dir).as_posix()
        if path in RESERVED or path.startswith((f"{LOGO_NAME}.", inventory.RESERVED_PREFIX)):
            raise ProtectError(f"{plain_dir}: the journal has a file {path}, a name reserved for "
                               "the unlock page")  # fmt: skip
        if _is_theme_asset(path, source, originals):
            target = inside(out_dir, out_dir / path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            public.append(path)
            continue
        name = keys.blob_name(path)
        if name in names:
            raise ProtectError(f"blob name collision between {names[name]} and {path}")
        names[name] = path
        target = out_dir / "b" / name
        previous = reuse_from / "b" / name if reuse_from is not None else None
        signature = _signature(source) if manifest is not None else None
        if previous is not None and (
            _listed(known.get(path), signature, previous)
            or blob_matches(previous, source, path, keys)
        ):
            link_or_copy(previous, target)
            reused += 1
        else:
            encrypt_file(source, target, path, keys)
            encrypted += 1
            plain_bytes += source.stat().st_size
        if manifest is not None:
            stat = target.stat()
            made[path] = [signature, stat.st_size, stat.st_mtime_ns]
        listed[path] = inventory.nonces_text(blob_nonces(target, path, keys))

    previous_list = inventory.read_inventory(reuse_from, keys) if reuse_from is not None else None
    build = inventory.next_build(listed, previous_list, build_floor, floor_digest)
    inventory.write_inventory(out_dir, keys, build)

    public += _write_unlock_files(
        out_dir, secrets, branding, theme_dir, _logo(branding, project_dir, plain_dir)
    )
    if manifest is not None:
        write_atomic(manifest, json.dumps({"format": stamp, "blobs": made}))
    seconds = time.perf_counter() - began
    report = ProtectReport(
        encrypted, reused, len(public), plain_bytes, seconds, build.build, build.digest()
    )
    log.info("protected %s: %s", secrets.site_id, report)
    return report


FORMAT = "blobs 3"
"""The blob format the reuse manifest was written for (a new format encrypts everything)."""
LARGE = 1 << 20


def _signature(source: Path) -> str:
    """What a plain file is, for the reuse manifest: its SHA-256; for a large file (a
    recording, never edited in place, hashed by the build by size and time too) its size and
    modification time, so that an hour of audio is not read to be found unchanged."""
    stat = source.stat()
    if stat.st_size > LARGE:
        return f"stat {stat.st_size} {stat.st_mtime_ns}"
    return hashlib.sha256(source.read_bytes()).hexdigest()


def _read_manifest(manifest: Path | None, stamp: str) -> dict[str, list]:
    try:
        saved = json.loads(manifest.read_text(encoding="utf-8")) if manifest else {}
    except (OSError, ValueError):
        return {}
    blobs = saved.get("blobs") if isinstance(saved, dict) else None
    return blobs if saved.get("format") == stamp and isinstance(blobs, dict) else {}


def _listed(entry: list | None, signature: str | None, previous: Path) -> bool:
    """True when the manifest says `previous` was made from a file with this `signature`,
    and `previous` is still that very blob (same size and modification time)."""
    if not entry or signature is None or entry[0] != signature:
        return False
    try:
        stat = previous.stat()
    except OSError:
        return False
    return entry[1:] == [stat.st_size, stat.st_mtime_ns]


def write_site_root(
    site_dir: Path, branding: Branding, theme_dir: Path, *, project_dir: Path | None = None
) -> None:
    """Write `site/index.html` (a neutral page) and `site/404.html` (deep links while locked).

    Both show the coach's branding only. The host serves `404.html` for any missing path; for
    a path inside a journal (`…/<16 hex id>/…`) it sends the visitor to that journal's unlock
    page with the rest of the link in `?next=`, under any base path (`/repo/…` included).
    """
    logo = _logo(branding, project_dir, None)
    context = _context(branding, f"{LOGO_NAME}{logo.suffix.lower()}" if logo else None)
    templates = page_templates(theme_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(site_dir / "index.html", templates.get_template("root.html").render(context),
                 mode=0o644)  # fmt: skip
    write_atomic(site_dir / "404.html", templates.get_template("404.html").render(context),
                 mode=0o644)  # fmt: skip
    if logo is not None:
        write_atomic(site_dir / context["logo"], logo.read_bytes(), mode=0o644)


def read_protected(site_dir: Path, path: str, secrets: ClientSecrets) -> bytes:
    """The plain bytes of the file at `path` of a protected site (for tests and debugging)."""
    keys = SiteKeys.derive(secrets.content_key, secrets.site_id)
    blob = site_dir / "b" / keys.blob_name(path)
    if not blob.is_file():
        raise ProtectError(f"{site_dir}: no blob for {path}")
    return decrypt_blob(blob.read_bytes(), path, keys)


def _write_unlock_files(
    out_dir: Path,
    secrets: ClientSecrets,
    branding: Branding,
    theme_dir: Path,
    logo: Path | None,
) -> list[str]:
    """The unlock page and its files; returns their names (all public but index.html)."""
    written: list[str] = []
    logo_name = f"{LOGO_NAME}{logo.suffix.lower()}" if logo else None
    if logo is not None and logo_name is not None:
        shutil.copyfile(logo, out_dir / logo_name)
        written.append(logo_name)
    templates = page_templates(theme_dir)
    page = templates.get_template("unlock.html").render(_context(branding, logo_name))
    (out_dir / "index.html").write_text(page, encoding="utf-8")
    for name in SCRIPTS:
        shutil.copyfile(_protect_file(theme_dir, name), out_dir / name)
        written.append(name)
    keyring = secrets.public_keyring()
    if not keyring["entries"]:
        raise ProtectError(f"site {secrets.site_id}: no password in the keyring")
    (out_dir / "keyring.json").write_text(
        json.dumps(keyring, sort_keys=True, indent=1) + "\n", encoding="utf-8"
    )
    written.append("keyring.json")
    (out_dir / MANIFEST).write_text(manifest_json(branding, logo, logo_name), encoding="utf-8")
    (out_dir / ICON).write_text(icon_svg(branding), encoding="utf-8")
    written += [MANIFEST, ICON]
    public = sorted({*written, *WITH_PUBLIC_LIST, *_public_assets(out_dir)})
    marker = "/*RJ_PUBLIC*/ []"
    for name in WITH_PUBLIC_LIST:
        source = _protect_file(theme_dir, name)
        script = source.read_text(encoding="utf-8")
        if marker not in script:
            raise ProtectError(f"{source}: no {marker} placeholder")
        listed = json.dumps(public, indent=0).replace("\n", "")
        (out_dir / name).write_text(script.replace(marker, listed), encoding="utf-8")
        written.append(name)
    return written


def _public_assets(out_dir: Path) -> list[str]:
    folder = out_dir / "assets"
    if not folder.is_dir():
        return []
    return [p.relative_to(out_dir).as_posix() for p in folder.rglob("*") if p.is_file()]


def _asset_sources(theme_dir: Path) -> list[Path]:
    """Folders whose files may be published unencrypted under `assets/`."""
    from generator.engine import engine_assets_dir

    folders = [theme_dir / "assets", engine_assets_dir()]
    return [f for f in folders if f.is_dir()]


def _is_theme_asset(path: str, source: Path, originals: list[Path]) -> bool:
    if not path.startswith("assets/"):
        return False
    relative = path.removeprefix("assets/")
    size = source.stat().st_size
    for folder in originals:
        original = folder / relative
        same_size = original.is_file() and original.stat().st_size == size
        if same_size and _digest(original) == _digest(source):
            return True
    return False


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _logo(branding: Branding, project_dir: Path | None, plain_dir: Path | None) -> Path | None:
    if branding.logo is None:
        return None
    candidates = []
    if branding.logo.is_absolute():
        candidates.append(branding.logo)
    elif project_dir is not None:
        candidates.append(project_dir / branding.logo)
    if plain_dir is not None:
        candidates.append(plain_dir / "assets" / f"logo{branding.logo.suffix.lower()}")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    log.warning("logo %s not found: the unlock page goes without it", branding.logo)
    return None


def _protect_file(theme_dir: Path, name: str) -> Path:
    """A file of the theme's `protect/` folder, else of the built-in theme's."""
    own = theme_dir / "protect" / name
    return own if own.is_file() else builtin_themes_dir() / "default" / "protect" / name


@functools.lru_cache(maxsize=4)
def page_templates(theme_dir: Path) -> jinja2.Environment:
    """The unlock page's and the site root's templates: the theme's own, else the built-in
    ones (one environment per process: each template compiled once)."""
    folders = [theme_dir / "protect", builtin_themes_dir() / "default" / "protect"]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _context(branding: Branding, logo: str | None) -> dict[str, object]:
    colour, on_colour = primary_pair(branding.primary_colour)
    return {
        "practice_name": branding.practice_name,
        "coach_name": branding.coach_name,
        "language": branding.language,
        "logo": logo,
        "primary": colour,
        "on_primary": on_colour,
    }
