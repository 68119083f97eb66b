# hostileguest executes SYSCALL and INT 0x80 on purpose (HostileGuestTableTests), which hs-cc's
# ELF check refuses in any real guest.
hostileguest_LINK_OPTIONS := --no-elf-check
