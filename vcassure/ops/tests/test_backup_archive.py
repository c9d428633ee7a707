"""What restore accepts from an archive before it touches anything (the whole drill is in
tests/ops/test_restore_drill.py): exactly the files the manifest lists, each with its checksum,
and nothing but plain files inside the archive's root."""

import hashlib
import io
import json
import tarfile

import pytest

from vcassure.ops.backup import FORMAT, FORMAT_VERSION, BackupError
from vcassure.ops.restore import archive_read


def make_archive(path, files: dict[str, bytes], *, listed=None, extra_members=()):
    listed = files if listed is None else listed
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in listed.items()
        ],
    }
    with tarfile.open(path, "w") as tar:
        for name, data in {**files, "manifest.json": json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for member in extra_members:
            tar.addfile(member)
    return path


def test_a_sound_archive_is_read(tmp_path):
    archive = make_archive(
        tmp_path / "a.tar", {"database.sqlite3": b"db", "media/checklists/1/x.png": b"png"}
    )
    manifest = archive_read(archive, tmp_path / "out")
    assert [f["path"] for f in manifest["files"]] == [
        "database.sqlite3",
        "media/checklists/1/x.png",
    ]
    assert (tmp_path / "out" / "media" / "checklists" / "1" / "x.png").read_bytes() == b"png"


def test_a_changed_file_is_refused(tmp_path):
    archive = make_archive(
        tmp_path / "a.tar",
        {"database.sqlite3": b"db!"},
        listed={"database.sqlite3": b"db?"},
    )
    with pytest.raises(BackupError, match="checksum mismatch.*database.sqlite3"):
        archive_read(archive, tmp_path / "out")


def test_a_missing_or_unlisted_file_is_refused(tmp_path):
    archive = make_archive(
        tmp_path / "a.tar",
        {"database.sqlite3": b"db", "media/extra.png": b"x"},
        listed={"database.sqlite3": b"db", "media/gone.png": b"y"},
    )
    with pytest.raises(
        BackupError, match=r"missing \['media/gone.png'\], extra \['media/extra.png'\]"
    ):
        archive_read(archive, tmp_path / "out")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "media/link"])
def test_links_and_paths_outside_the_archive_are_refused(tmp_path, name):
    member = tarfile.TarInfo(name)
    if name == "media/link":
        member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
    archive = make_archive(tmp_path / "a.tar", {"database.sqlite3": b"db"}, extra_members=[member])
    with pytest.raises(BackupError, match="unexpected entry"):
        archive_read(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_something_else_is_refused(tmp_path):
    (tmp_path / "a.tar").write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="not a readable backup archive"):
        archive_read(tmp_path / "a.tar", tmp_path / "out")
