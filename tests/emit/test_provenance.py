"""Reading a generated module's provenance back without running it, and telling a module edited
by hand from the one mipsc wrote."""

from __future__ import annotations

import pytest

from mipsdsl.emit.provenance import UNHASHED, ProvenanceError, read_provenance, source_hash


def module_text(extra: str = "") -> str:
    """A module recording the hash of its own text, taken with the placeholder in its place."""
    template = (
        '"""A generated module."""\n\n'
        "def run(xs):\n    return list(xs)\n\n"
        f"__provenance__ = {{'source_sha256': '{UNHASHED}', 'seed': 7}}\n{extra}"
    )
    return template.replace(UNHASHED, source_hash(template))


def test_a_module_as_written_reads_back_unedited(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(module_text(), encoding="utf-8")
    provenance, edited = read_provenance(path)
    assert provenance["seed"] == 7 and len(provenance["source_sha256"]) == 64
    assert not edited


def test_any_change_to_the_text_shows_as_an_edit(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(module_text().replace("list(xs)", "list(xs)[::-1]"), encoding="utf-8")
    provenance, edited = read_provenance(path)
    assert edited and provenance["seed"] == 7


def test_the_provenance_is_read_as_a_literal_never_run(tmp_path):
    path = tmp_path / "m.py"
    marker = tmp_path / "ran"
    path.write_text(f"open({str(marker)!r}, 'w').close()\n" + module_text(), encoding="utf-8")
    read_provenance(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("def run(xs):\n    return xs\n", "has no __provenance__ written by mipsc"),
        ("__provenance__ = make()\n", "has no __provenance__ written by mipsc"),
        ("__provenance__ = {'seed': 1}\n", "has no __provenance__ written by mipsc"),
        ("def run(xs) return xs\n", "cannot read"),
    ],
)
def test_a_file_mipsc_did_not_write_is_refused(tmp_path, text, message):
    path = tmp_path / "m.py"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProvenanceError, match=message):
        read_provenance(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ProvenanceError, match="cannot read"):
        read_provenance(tmp_path / "absent.py")
