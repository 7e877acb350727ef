"""Linux bundle: Qt's ICU data library keeps only the items Qt and ShopGuard's two languages use (32 MB -> ~4 MB).

    python installers/icu-data.py dist/shopguard/_internal

PySide6's ``libicudata.so.73`` is nothing but ICU's whole data package (the ``icudt73_dat`` symbol, 3,921 items:
locale data for ~800 locales, 230 legacy charset converters, transliterators, dictionaries for Thai, Lao, Khmer and
Burmese word breaking...). QtCore links ICU for a few services only: QLocale, number and date formatting, line
breaking and Unicode properties use Qt's own tables; ICU serves collation (QCollator, which sorts file dialogs by
name), time-zone display names and charset converters asked for by name (QStringDecoder("GBK")). ICU opens a data
item only when one of those asks for it, by name, and falls back to the root locale when a locale's item is absent.

This script rebuilds the library with the same soname and symbol holding a smaller package (``icupkg``, from
icu-devtools): every non-locale item Qt's services can open (collation's ``ucadata.icu``, normalisation, the
charset alias table, time-zone, calendar and likely-subtags data), the locale data of ``root``, English and
Chinese (``en*``, ``zh*``, in every tree: collation with pinyin/stroke order, zone names, ...), the single-byte
converters and the Chinese multi-byte ones (GB18030, GBK, GB2312, Big5, Big5-HKSCS). What goes: other locales'
data, multi-byte converters for other scripts, transliterators, stringprep profiles, the spoof checker's
confusables, character names, and the break iterators' rules and dictionaries (Qt 6 breaks lines with its own
Unicode tables; traced below).

The script checks its result in a separate Python: the build environment's PySide6, with the reduced library
preloaded in place of the wheel's (same soname), must give exactly what the full data gives for collation (en and
zh_CN sort keys and orders, numeric mode, case), Chinese and Western converters, time-zone names in en and zh_CN,
case mapping and text boundaries; and the reduced file must be the one mapped. A difference stops the build. The
smoke test then starts the window in the built bundle.

How the list was found (installers/README.md, "Session 12"): ``udata_openChoice``/``udata_open`` breakpoints (gdb)
on the test suite's Qt tests, the bundled app's window in English and Chinese, and the checks below, which
are the only callers that opened anything. Linux only, like share-libs.py; needs icupkg and a C compiler.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ICU_LIB = "PySide6/Qt/lib/libicudata.so.*"
NO_TOOLS = (
    "icu-data: needs icupkg (icu-devtools) and a C compiler (cc or gcc): sudo apt-get install icu-devtools gcc "
    "libc6-dev (or: bash installers/system-packages.sh build)"
)
# A locale's own data: ll[_Ssss][_RR|_999][_VARIANT].res (ISO 639 codes have 2-3 letters; ICU's data items such as
# root, pool, metadata or plurals have more and are never locale data).
LOCALE_ITEM = re.compile(r"(?:[a-z]+/)?([a-z]{2,3})(?:_[A-Za-z0-9]*)*\.res")
KEPT_LANGUAGES = {"en", "zh"}
# Item names (icupkg -l) dropped whatever their size: nothing Qt calls opens them.
DROPPED = re.compile(r"translit/.*|brkitr/.*|.*\.spp|confusables.*\.cfu|unames\.icu")
# Chinese multi-byte converters (GB18030, GBK, EUC-CN/GB2312, Windows-936, Big5 / Windows-950, Big5-HKSCS): a
# Chinese seller's old text files; single-byte converters (under 16 KB each) are kept whole.
CHINESE_CONVERTERS = re.compile(
    r"gb18030|ibm-1386_.*|ibm-1383_.*|windows-936-.*|windows-950-.*|ibm-1373_.*|ibm-1375_.*|ibm-5471_.*"
)
SMALL_CONVERTER_BYTES = 16_384


def _run(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, cwd=cwd).stdout


def kept(item: str, size: int) -> bool:
    """Whether the reduced package keeps this item (its name as icupkg lists it, its size in bytes)."""
    if DROPPED.fullmatch(item):
        return False
    if item.endswith(".cnv"):
        return size < SMALL_CONVERTER_BYTES or bool(CHINESE_CONVERTERS.fullmatch(item[:-4]))
    locale = LOCALE_ITEM.fullmatch(item)
    if locale:
        return locale[1] in KEPT_LANGUAGES
    return True  # root.res, pool.res, res_index.res of every tree; ucadata, normalisation, zone and calendar data


def _symbol(lib: Path, name: str) -> tuple[int, int]:
    """(file offset, size) of a defined data symbol."""
    line = next((x for x in _run("nm", "-DS", str(lib)).splitlines() if x.split()[-1] == name), None)
    if line is None:
        sys.exit(f"icu-data: {lib.name} has no {name} symbol; not the ICU data library we know")
    vaddr, size = (int(x, 16) for x in line.split()[:2])
    for sec in re.findall(
        r"\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", _run("readelf", "-SW", str(lib))
    ):
        start, offset, length = (int(x, 16) for x in sec)
        if start <= vaddr < start + length and start:
            return vaddr - start + offset, size
    sys.exit(f"icu-data: no section holds {name} in {lib.name}")


CHECK = r"""
import json, os, sys
from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringDecoder, QStringEncoder, QTimeZone, Qt
from PySide6.QtCore import QTextBoundaryFinder
words = ["zebra", "Apple", "apple", "Äpfel", "file10.jpg", "file9.jpg", "照片", "投诉", "商品", "阿", "啊",
         "中国", "重庆", "长城", "银行", "行走", "IMG_0001.JPG", "img_0002.jpg", "退款-2.png", "退款-10.png",
         "éclair", "eclair"]
out = {}
for name in ("en", "en_US", "zh_CN", "zh_TW", "C"):
    for numeric in (False, True):
        c = QCollator(QLocale(name))
        c.setNumericMode(numeric)
        out[f"sort {name} {numeric}"] = sorted(words, key=c.sortKey)
        out[f"cmp {name} {numeric}"] = [c.compare(a, b) for a in words for b in words]
    c = QCollator(QLocale(name)); c.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    out[f"ci {name}"] = [c.compare(a, b) for a in words for b in words]
# PySide6 binds no encode/decode call; a converter asked for by name is valid only if ICU could load its table.
for name in ("GBK", "GB18030", "GB2312", "Big5", "Big5-HKSCS", "windows-1252", "ISO-8859-15", "KOI8-R"):
    out[f"codec {name}"] = [QStringEncoder(name).isValid(), QStringDecoder(name).isValid()]
when = QDateTime.fromSecsSinceEpoch(1764892800)
for zone in (b"Asia/Shanghai", b"Europe/Berlin", b"America/New_York", b"UTC"):
    tz = QTimeZone(zone)
    for loc in ("en_US", "zh_CN"):
        out[f"tz {zone} {loc}"] = [tz.displayName(when, QTimeZone.NameType.LongName, QLocale(loc)),
                                   tz.displayName(when, QTimeZone.NameType.ShortName, QLocale(loc)),
                                   tz.displayName(QTimeZone.TimeType.GenericTime, QTimeZone.NameType.LongName,
                                                  QLocale(loc)),
                                   tz.abbreviation(when)]
for loc in ("en_US", "zh_CN", "tr_TR"):
    out[f"case {loc}"] = [QLocale(loc).toUpper("istanbul ß ǆ"), QLocale(loc).toLower("İSTANBUL Σ ΑΣ")]
text = "买家说商品坏了。Buyer's photo: IMG_0001.JPG, taken 2026-12-05! 照片是假的吗？"
for kind in ("Grapheme", "Word", "Line", "Sentence"):
    f = QTextBoundaryFinder(getattr(QTextBoundaryFinder.BoundaryType, kind), text)
    marks = [f.position()]
    while f.toNextBoundary() != -1:
        marks.append(f.position())
    out[f"breaks {kind}"] = marks
maps = sorted({os.path.realpath(l.split()[-1]) for l in open("/proc/self/maps") if "libicudata" in l})
print(json.dumps({"results": out, "mapped": maps}, ensure_ascii=False))
"""


def _check(preload: Path | None) -> tuple[dict[str, object], list[str]]:
    """(results by name, paths of the libicudata files mapped) of CHECK, with ``preload`` in place of the wheel's."""
    env = {**os.environ, "PYTHONNOUSERSITE": "1", "QT_QPA_PLATFORM": "offscreen"}
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"icu-data: the check crashed or failed (exit {done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return dict(result["results"]), [str(m) for m in result["mapped"]]


def main() -> None:
    internal = Path(sys.argv[1])
    libs = [p for p in internal.glob(ICU_LIB) if not p.is_symlink()]
    if not libs:
        print("icu-data: no ICU data library in the bundle, nothing to do")
        return
    if len(libs) != 1:
        sys.exit(f"icu-data: expected one ICU data library, found {libs}")
    real = libs[0]
    major = real.name.rsplit(".", 1)[-1]
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or shutil.which("icupkg") is None:
        sys.exit(NO_TOOLS)
    offset, size = _symbol(real, f"icudt{major}_dat")
    with tempfile.TemporaryDirectory() as tmp:
        full, small = Path(tmp) / "full" / f"icudt{major}l.dat", Path(tmp) / f"icudt{major}l.dat"
        full.parent.mkdir()
        with real.open("rb") as fh:
            fh.seek(offset)
            full.write_bytes(fh.read(size))
        items = _run("icupkg", "-l", str(full)).split()
        extracted = Path(tmp) / "items"
        extracted.mkdir()
        (Path(tmp) / "all.txt").write_text("\n".join(items) + "\n")
        _run("icupkg", "-x", "all.txt", "-d", "items", str(full), cwd=Path(tmp))
        gone = [i for i in items if not kept(i, (extracted / i).stat().st_size)]
        # An item that needs a removed one (a converter's delta table, Hong Kong's number spell-out over Cantonese)
        # goes too; icupkg names each such pair and refuses to write the package until none is left.
        for _ in range(8):
            (Path(tmp) / "gone.txt").write_text("\n".join(gone) + "\n")
            done = subprocess.run(
                ["icupkg", "-r", "gone.txt", str(full), str(small)], capture_output=True, text=True, cwd=tmp
            )
            orphans = re.findall(r"Item (\S+) depends on missing item", done.stdout + done.stderr)
            if done.returncode == 0 or not orphans:
                break
            gone += sorted(set(orphans) - set(gone))
        if done.returncode != 0:
            sys.exit(f"icu-data: icupkg failed: {(done.stdout + done.stderr)[-1500:]}")
        asm = Path(tmp) / "icudata.S"
        asm.write_text(
            "/* generated by installers/icu-data.py: ICU's data package, reduced */\n"
            f".section .rodata\n.globl icudt{major}_dat\n.type icudt{major}_dat, @object\n.balign 16\n"
            f'icudt{major}_dat:\n.incbin "{small}"\n.size icudt{major}_dat, . - icudt{major}_dat\n'
            '.section .note.GNU-stack,"",@progbits\n'
        )
        out = Path(tmp) / real.name
        soname = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _run("readelf", "-d", str(real)))
        if soname is None:
            sys.exit(f"icu-data: {real.name} has no soname")
        subprocess.run([cc, "-shared", "-nostdlib", f"-Wl,-soname,{soname[1]}", "-o", str(out), str(asm)], check=True)
        (old, _), (new, mapped) = _check(None), _check(out)
        if [Path(m).name for m in mapped] != [real.name] or str(out) not in mapped:
            sys.exit(f"icu-data: check failed: the reduced library was not the one loaded: {mapped}")
        differ = sorted(k for k in old if old[k] != new.get(k))
        if differ:
            sys.exit(f"icu-data: check failed: the reduced data changes {differ[:8]} (of {len(differ)})")
        freed = real.stat().st_size - out.stat().st_size
        fresh = real.with_name(real.name + ".new")
        shutil.copyfile(out, fresh)
        shutil.copymode(real, fresh)
        fresh.replace(real)
    print(
        f"icu-data: checked: {len(old)} collation, converter, time-zone, case and boundary results identical "
        f"with the reduced data; {len(items) - len(gone)} of {len(items)} items kept; {freed / 1e6:.1f} MB freed"
    )


if __name__ == "__main__":
    main()
