#!/bin/sh
# Checks that guest ELF files meet docs/guest-abi.md §1: ET_DYN without PT_INTERP or PT_TLS,
# only R_X86_64_RELATIVE relocations, and no segment both writable and executable.
set -eu
status=0
fail() {
    echo "check-elf: $1: $2"
    status=1
}
for elf in "$@"; do
    readelf -h "$elf" | grep -q 'Type: *DYN' || fail "$elf" "not ET_DYN"
    headers=$(readelf -lW "$elf")
    echo "$headers" | grep -q '^ *INTERP' && fail "$elf" "has PT_INTERP"
    echo "$headers" | grep -q '^ *TLS' && fail "$elf" "has PT_TLS"
    echo "$headers" | grep -Eq '^ *LOAD .* RWE ' && fail "$elf" "has a writable and executable segment"
    others=$(readelf -rW "$elf" | grep -E '^[0-9a-f]{8,} ' | grep -v R_X86_64_RELATIVE || true)
    [ -z "$others" ] || fail "$elf" "has relocations other than R_X86_64_RELATIVE:
$others"
    readelf -dW "$elf" | grep -Eq '\((REL|JMPREL|TEXTREL|PLTREL)\)' && fail "$elf" "has DT_REL, DT_JMPREL or DT_TEXTREL"
done
exit $status
