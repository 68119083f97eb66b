#!/bin/sh
# Checks that guest ELF files meet docs/guest-abi.md §1 and run without an operating system:
# ET_DYN without PT_INTERP, only R_X86_64_RELATIVE relocations, no segment both writable and
# executable, and no instruction that needs what a guest lacks: no syscall, sysenter or int $0x80
# (there is no kernel; in ring 3 they fault with a confusing address), no %gs access, and %fs only
# at the offsets the host backs (the thread pointer at %fs:0, the stack canary at %fs:0x28, and
# local-exec TLS below the thread pointer, at most the PT_TLS size). Errors name the function.
set -eu
status=0
fail() {
    echo "check-elf: $1: $2"
    status=1
}
# PT_TLS MemSiz rounded up to its alignment: how far below the thread pointer TLS reaches.
tls_extent() {
    [ $# -eq 2 ] || { echo 0; return; }
    align=$(($2 > 0 ? $2 : 1))
    echo $((($1 + align - 1) / align * align))
}
for elf in "$@"; do
    readelf -h "$elf" | grep -q 'Type: *DYN' || fail "$elf" "not ET_DYN"
    headers=$(readelf -lW "$elf")
    echo "$headers" | grep -q '^ *INTERP' && fail "$elf" "has PT_INTERP"
    echo "$headers" | grep -Eq '^ *LOAD .* RWE ' && fail "$elf" "has a writable and executable segment"
    others=$(readelf -rW "$elf" | grep -E '^[0-9a-f]{8,} ' | grep -v R_X86_64_RELATIVE || true)
    [ -z "$others" ] || fail "$elf" "has relocations other than R_X86_64_RELATIVE:
$others"
    readelf -dW "$elf" | grep -Eq '\((REL|JMPREL|TEXTREL|PLTREL)\)' && fail "$elf" "has DT_REL, DT_JMPREL or DT_TEXTREL"
    tls=$(tls_extent $(echo "$headers" | awk '$1 == "TLS" { print $6, $NF }'))
    bad=$(objdump -d --no-show-raw-insn "$elf" | awk -F'\t' -v tls="$tls" '
        function hex(s,   i, c, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); v = v * 16 + c - 1 } return v }
        /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn); next }
        NF < 2 { next }
        {
            at = $1; sub(/^ */, "", at); sub(/:$/, "", at); insn = $2; why = ""
            if (insn ~ /^(syscall|sysenter|sysexit|sysret)/ || insn ~ /^int +\$0x80/)
                why = "a system call (" insn ")"
            else if (insn ~ /%gs:/)
                why = "a %gs access (" insn ")"
            else if (insn ~ /%fs:/) {
                ok = 0
                if (match(insn, /%fs:0x[0-9a-f]+(,|$)/)) {
                    d = substr(insn, RSTART + 4, RLENGTH - 4); sub(/,$/, "", d)
                    if (d == "0x0" || d == "0x28") ok = 1
                    else if (length(d) == 18 && substr(d, 3, 8) == "ffffffff" && 4294967296 - hex(substr(d, 11)) <= tls + 0) ok = 1
                }
                if (!ok) why = "a %fs access outside the thread pointer, the stack canary and TLS (" insn ")"
            }
            if (why != "") print "function " fn " at 0x" at " executes " why
        }')
    [ -z "$bad" ] || fail "$elf" "$bad"
done
exit $status
