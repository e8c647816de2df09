"""`fs.Tree`: a folder kept from build to build ends each build as a fresh one would."""

from __future__ import annotations

import os

import pytest

from generator.fs import OutsideRootError, Tree, inside


def test_a_kept_tree_writes_only_what_changed_and_removes_what_was_not_written(tmp_path):
    root = tmp_path / "plain"
    first = Tree(root)
    first.write(root / "a" / "index.html", "same")
    first.write(root / "b" / "index.html", "old")
    first.write(root / "gone" / "index.html", "deleted since")
    first.prune()
    kept = os.stat(root / "a" / "index.html")

    second = Tree(root)
    second.write(root / "a" / "index.html", "same")
    second.write(root / "b" / "index.html", "new")
    second.prune()
    unchanged = os.stat(root / "a" / "index.html")
    assert (unchanged.st_ino, unchanged.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert (root / "b" / "index.html").read_text() == "new"
    assert not (root / "gone").exists()  # its file and then its empty folder


def test_a_kept_tree_never_writes_through_a_link_to_someone_else_s_file(tmp_path):
    original = tmp_path / "coach" / "notes.vtt"
    original.parent.mkdir()
    original.write_text("the coach's transcript")
    root = tmp_path / "docs"
    tree = Tree(root)
    tree.link(original, root / "transcripts" / "x.vtt")
    tree.link(original, root / "transcripts" / "x.vtt")  # already that file: left alone
    assert os.path.samefile(original, root / "transcripts" / "x.vtt")
    Tree(root).write(root / "transcripts" / "x.vtt", "something else")
    assert original.read_text() == "the coach's transcript"
    assert (root / "transcripts" / "x.vtt").read_text() == "something else"


def test_inside_finds_a_link_anywhere_on_the_way_from_the_root(tmp_path):
    root, outside = tmp_path / "client", tmp_path / "elsewhere"
    (root / "sessions").mkdir(parents=True)
    (outside / "notes").mkdir(parents=True)
    (outside / "notes" / "secret.md").write_text("x")
    (root / "sessions" / "plain.md").write_text("x")
    assert inside(root, root / "sessions" / "plain.md") == (root / "sessions/plain.md").resolve()
    (root / "linked").symlink_to(outside / "notes")  # a linked folder
    (root / "sessions" / "linked.md").symlink_to(outside / "notes" / "secret.md")  # a file
    for path in (root / "linked" / "secret.md", root / "sessions" / "linked.md"):
        with pytest.raises(OutsideRootError):
            inside(root, path)
    (root / "sessions" / "here.md").symlink_to(root / "sessions" / "plain.md")  # stays inside
    assert inside(root, root / "sessions" / "here.md") == (root / "sessions/plain.md").resolve()
    with pytest.raises(OutsideRootError):
        inside(root, root / "sessions" / ".." / ".." / "elsewhere" / "notes" / "secret.md")
