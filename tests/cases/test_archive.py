"""Case archives: export and import on another home verify every SHA-256; tampered or hostile zips are refused."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from shopguard.cases.store import CaseStore
from shopguard.cli.main import main
from tests.report.pdf_reading import pdf_text, squash


@pytest.fixture(scope="module")
def exported(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A checked demo case with a report, exported from the seller's old computer (once for the module)."""
    base = tmp_path_factory.mktemp("archive")
    home = base / "old-home"
    assert main(["--home", str(home), "library", "add", str(demo / "library"), "--workers", "1"]) == 0
    complaints = sorted((demo / "complaints").glob("*.jpg"))
    report = base / "elsewhere" / "report.pdf"
    assert main(["--home", str(home), "check", *map(str, complaints), "--report", str(report)]) == 0
    (case,) = CaseStore(home / "cases").list()
    archive = base / "case.zip"
    assert main(["--home", str(home), "cases", "export", case.id, "-o", str(archive)]) == 0
    return archive, case.id


def _rewrite(archive: Path, out: Path, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> Path:
    """A copy of ``archive`` with members replaced (bytes) or dropped (None), and ``extra`` members added."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change.get(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out


def _photo_member(archive: Path) -> str:
    with zipfile.ZipFile(archive) as z:
        return next(n for n in z.namelist() if n.startswith("photos/"))


def test_export_then_import_on_a_new_computer_verifies_everything(
    exported: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive, case_id = exported
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
    assert "manifest.json" in names and "case.json" in names
    assert len([n for n in names if n.startswith("photos/")]) == 2
    assert any(n.startswith("library/") for n in names)  # the listing photos the findings cite
    assert "reports/report.pdf" in names  # written outside the case folder, carried along

    new_home = tmp_path / "new-home"
    capsys.readouterr()
    assert main(["--home", str(new_home), "cases", "import", str(archive)]) == 0
    assert "every SHA-256 checked" in capsys.readouterr().out
    case = CaseStore(new_home / "cases").load(case_id)
    for photo in case.photos:
        stored = Path(photo.stored_path or "")
        assert stored.is_relative_to(new_home)  # paths point into the new home, not the old computer
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == photo.sha256
    assert [Path(r) for r in case.reports] == [new_home / "cases" / case_id / "reports" / "report.pdf"]
    out = tmp_path / "again.pdf"
    assert main(["--home", str(new_home), "report", case_id, "-o", str(out), "--lang", "en"]) == 0
    assert squash("the SHA-256 of all 2 stored copies was computed again: each still matches") in pdf_text(out)
    # importing twice is refused, the case stays as it is
    assert main(["--home", str(new_home), "cases", "import", str(archive)]) == 4


def _refused(archive: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["--home", str(home), "cases", "import", str(archive)]) == 5
    assert CaseStore(home / "cases").list() == []
    assert not [p for p in (home / "cases").iterdir()]  # no staging folder left
    return capsys.readouterr().err


def test_a_changed_photo_is_refused_even_with_a_recomputed_manifest(
    exported: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive, _ = exported
    name = _photo_member(archive)
    with zipfile.ZipFile(archive) as z:
        photo = bytearray(z.read(name))
        manifest = json.loads(z.read("manifest.json"))
    photo[len(photo) // 2] ^= 0xFF
    tampered = _rewrite(archive, tmp_path / "t1.zip", {name: bytes(photo)})
    err = _refused(tampered, tmp_path / "h1", capsys)
    assert "was changed after export" in err and name in err
    # a forger who also fixes the manifest still fails: case.json holds the SHA-256 taken at the check
    manifest["files"][name] = hashlib.sha256(bytes(photo)).hexdigest()
    forged = _rewrite(
        archive, tmp_path / "t2.zip", {name: bytes(photo), "manifest.json": json.dumps(manifest).encode()}
    )
    assert name in _refused(forged, tmp_path / "h2", capsys)


def test_added_and_removed_members_are_refused(
    exported: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive, _ = exported
    added = _rewrite(archive, tmp_path / "a.zip", {}, {"photos/99-extra.jpg": b"not evidence"})
    assert "photos/99-extra.jpg" in _refused(added, tmp_path / "h1", capsys)
    removed = _rewrite(archive, tmp_path / "r.zip", {_photo_member(archive): None})
    assert "was changed after export" in _refused(removed, tmp_path / "h2", capsys)


def test_zip_slip_and_zip_bombs_are_refused(
    exported: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive, _ = exported
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    for evil in ("../../escaped.txt", "/etc/escaped.txt", "photos\\..\\..\\escaped.txt"):
        manifest["files"] = {**manifest["files"], evil: hashlib.sha256(b"x").hexdigest()}
        slip = _rewrite(archive, tmp_path / "slip.zip", {"manifest.json": json.dumps(manifest).encode()}, {evil: b"x"})
        assert "unsafe file name" in _refused(slip, tmp_path / "h", capsys)
        manifest["files"].pop(evil)
    assert not list(tmp_path.rglob("escaped.txt"))
    zeros = b"\0" * (64 * 1024 * 1024)
    manifest["files"]["evidence/bomb.bin"] = hashlib.sha256(zeros).hexdigest()
    bomb = _rewrite(
        archive, tmp_path / "bomb.zip", {"manifest.json": json.dumps(manifest).encode()}, {"evidence/bomb.bin": zeros}
    )
    assert "expands too much" in _refused(bomb, tmp_path / "h3", capsys)
    not_zip = tmp_path / "not.zip"
    not_zip.write_bytes(b"PK\x03\x04 and then nothing")
    assert "is not a ShopGuard case archive" in _refused(not_zip, tmp_path / "h4", capsys)
