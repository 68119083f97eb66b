#!/usr/bin/env python3
"""Writes the licence notices of the third-party code guests contain, from the unpacked Debian source
packages:

    make -C guest && python3 guest/tools/third-party-notices.py    # THIRD-PARTY-NOTICES at the root
    python3 guest/tools/third-party-notices.py --sdk PATH          # the C library's alone (the build)

The root file (every component, for the packages carrying interpreters and guests) is committed: run
the first form by hand whenever guest/third-party/debian-sources.lock or guest/libc/picolibc-sources.mk
changes. The guest build runs the second form for the HyperSharp.Guest.Sdk package, which carries the
C library and nothing else third-party, so that nothing derived from third-party files but the root
file is committed. For picolibc it lists the copyright and licence of exactly
the files a guest can contain: the sources in picolibc-sources.mk and the headers the C library
installs, each looked up in the package's machine-readable copyright file (COPYING.picolibc,
DEP-5: the last matching Files paragraph wins). For Lua it copies the MIT licence from lua.h; for
QuickJS, the copyright lines of the files guest/runtimes/quickjs/runtime.mk compiles and LICENSE; for
MicroPython its LICENSE and the notices at the top of the bundled third-party files the guest
compiles (re1.5, uzlib, crypto-algorithms' SHA-256).
"""
import fnmatch
import functools
import os
import re
import subprocess
import sys

guest = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
root = os.path.dirname(guest)
out = os.environ.get("OUT", os.path.join(root, "artifacts", "guests"))
picolibc = os.path.join(out, "obj", "src", "picolibc")
lua = os.path.join(out, "obj", "src", "lua5.4")
quickjs = os.path.join(out, "obj", "src", "quickjs")
micropython = os.path.join(out, "obj", "src", "micropython")
# MicroPython's bundled third-party code that micropython.elf contains (extmod/modre.c, moddeflate.c
# and modhashlib.c #include it), with the notice file of each and what MicroPython's LICENSE says of it.
MICROPYTHON_BUNDLED = [
    ("lib/re1.5", "lib/re1.5/re1.5.h", "BSD-3-Clause according to MicroPython's LICENSE"),
    ("lib/uzlib", "lib/uzlib/tinflate.c", "Zlib"),
    ("lib/crypto-algorithms", "lib/crypto-algorithms/sha256.c", "public domain"),
]


def paragraphs(text):
    fields, name = {}, None
    for line in text.split("\n") + [""]:
        if not line.strip():
            if fields:
                yield fields
            fields, name = {}, None
        elif line[0] in " \t" and name:
            fields[name] += "\n" + line.strip()
        else:
            name, _, value = line.partition(":")
            fields[name] = value.strip()


def leading_comment(path):
    """The comment a source file starts with: a /* */ block or a run of // lines, markers removed."""
    text = open(path, encoding="utf-8").read()
    block = re.match(r"\s*/\*(.*?)\*/", text, re.S)
    lines = block.group(1).splitlines() if block else re.match(r"((?://.*\n)+)", text).group(1).splitlines()
    return "\n".join(re.sub(r"^\s*(//|\*+)? ?", "", line).rstrip() for line in lines).strip("\n")


def compiled_files():
    files = make_variable("PICOLIBC_SOURCES")
    for directory, _, names in os.walk(os.path.join(picolibc, "newlib/libc/include")):
        files += [os.path.relpath(os.path.join(directory, n), picolibc) for n in names if n.endswith(".h")]
    files += ["newlib/libc/tinystdio/stdio.h", "newlib/libc/tinystdio/stdio-bufio.h"]
    machine = os.path.join(picolibc, "newlib/libc/machine/x86/machine")
    files += ["newlib/libc/machine/x86/machine/" + n for n in os.listdir(machine) if n.endswith(".h")]
    return sorted(set(files))


@functools.cache
def make_database():
    return subprocess.run(["make", "-s", "-C", guest, "-p", "-n"], capture_output=True, text=True).stdout


def make_variable(name):
    """A variable of guest/Makefile: from the environment when make runs this script, else from make's database."""
    if name in os.environ:
        return os.environ[name].split()
    listing = make_database()
    return next(l for l in listing.splitlines() if l.startswith(name + " :=")).split(":=", 1)[1].split()


def quickjs_notice():
    files = [name + ".c" for name in make_variable("QUICKJS_SOURCES")]
    lines = []
    for name in files:
        text = open(os.path.join(quickjs, name), encoding="utf-8").read()
        holders = re.findall(r"^ \* (Copyright .*)$", text, re.M)
        lines.append(f"{name} (and its header): " + "; ".join(holders))
    licence = open(os.path.join(quickjs, "LICENSE"), encoding="utf-8").read().strip()
    return lines + ["", licence]


def picolibc_notice():
    """The picolibc section: the files a guest can contain by copyright and licence, then the licence texts."""
    copying = open(os.path.join(picolibc, "COPYING.picolibc"), encoding="utf-8").read()
    stanzas = [p for p in paragraphs(copying) if "Files" in p]
    licences = {p["License"].split("\n")[0]: p["License"] for p in paragraphs(copying) if "Files" not in p and "License" in p}
    used = {}
    for path in compiled_files():
        match = None
        for stanza in stanzas:
            if any(fnmatch.fnmatchcase(path, pattern) for pattern in stanza["Files"].split()):
                match = stanza
        key = (match["Copyright"], match["License"].split("\n")[0])
        used.setdefault(key, []).append(path)

    lines = [
        "=" * 100,
        "picolibc 1.8.10 (Debian source package picolibc 1.8.10-2): the guest C library",
        "=" * 100,
        "",
        "The files compiled into guest/libc's libc.a and the headers installed with it, by copyright",
        "holder and licence (from the package's COPYING.picolibc). The licence texts follow.",
        "",
    ]
    for (copyright, licence), paths in sorted(used.items(), key=lambda item: (item[0][1], item[0][0])):
        lines.append(f"Files ({len(paths)}): " + " ".join(paths))
        lines.append("Copyright: " + copyright.replace("\n", "\n           "))
        lines.append("License: " + licence)
        lines.append("")
    for licence in sorted({licence for _, licence in used}):
        lines.append("-" * 100)
        lines.append("License: " + licences[licence].replace("\n.\n", "\n\n"))
        lines.append("")
    return lines, used


def write_sdk_notices(path):
    """The HyperSharp.Guest.Sdk package's notices: the C library alone."""
    header = [
        "Third-party software in the HyperSharp guest SDK",
        "",
        "The guest SDK's C library (sysroot/: headers and libc.a) is built from Debian's picolibc source",
        "package; a guest linked with it contains parts of it and carries the notice below. This file is",
        "written by the guest build (guest/tools/third-party-notices.py --sdk).",
        "",
    ]
    lines, _ = picolibc_notice()
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(header + lines))


def main(args):
    if args[:1] == ["--sdk"] and len(args) == 2:
        write_sdk_notices(args[1])
        return 0
    if args:
        print("usage: third-party-notices.py [--sdk PATH]", file=sys.stderr)
        return 2

    lines, used = picolibc_notice()
    header = [
        "Third-party software in HyperSharp guests",
        "",
        "HyperSharp's repository holds no third-party source. The guest build fetches Debian source",
        "packages (guest/third-party/debian-sources.lock) and compiles parts of them into the guest C",
        "library, the script interpreters (runtimes/*.elf of HyperSharp.Scripting: QuickJS, Lua,",
        "MicroPython) and the Lua test guest; those parts, and so the guests built with them, carry the",
        "notices below. This file is written by guest/tools/third-party-notices.py.",
        "",
    ]
    lua_header = open(os.path.join(lua, "src", "lua.h"), encoding="utf-8").read()
    notice = re.search(r"/\*{10,}\n(.*?)\*{10,}/", lua_header, re.S).group(1)
    notice = "\n".join(line.lstrip("* ").rstrip() for line in notice.splitlines())
    lines += [
        "=" * 100,
        "Lua 5.4.7 (Debian source package lua5.4 5.4.7-1): the Lua interpreter lua.elf and the luaguest test guest",
        "=" * 100,
        "",
        notice.strip(),
        "",
        "=" * 100,
        "QuickJS 2025-04-26 (Debian source package quickjs 2025.04.26-1): the JavaScript interpreter quickjs.elf",
        "=" * 100,
        "",
        *quickjs_notice(),
        "",
    ]
    licence = open(os.path.join(micropython, "LICENSE"), encoding="utf-8").read().split("\n---")[0]
    lines += [
        "=" * 100,
        "MicroPython 1.25.0 (Debian source package micropython 1.25.0+ds-1): the micropython.elf guest",
        "=" * 100,
        "",
        licence.strip(),
        "",
    ]
    for folder, notice, summary in MICROPYTHON_BUNDLED:
        lines += [
            "-" * 100,
            f"MicroPython's {folder} ({summary}), from {notice}:",
            "",
            leading_comment(os.path.join(micropython, notice)),
            "",
        ]
    with open(os.path.join(root, "THIRD-PARTY-NOTICES"), "w", encoding="utf-8") as f:
        f.write("\n".join(header + lines))
    print(f"THIRD-PARTY-NOTICES: {sum(len(p) for p in used.values())} picolibc files, {len({l for _, l in used})} licences")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
