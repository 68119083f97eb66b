/*
 * rawkvm: the physical limits of KVM on this machine, measured with raw ioctls and a few bytes
 * of hand-assembled 64-bit guest code. The HyperSharp side-by-side harness
 * (bench/HyperSharp.Benchmarks, `compare`) runs this program in the same run, interleaved with
 * its own measurements, and divides by these numbers.
 *
 * Usage: rawkvm [--quick] [--samples] [--only NAME]
 *
 * Output, one line per measurement:     NAME MEDIAN_NS P90_NS SAMPLES
 * With --samples, every sample as well: sample NAME NS
 * A sample is the mean time per operation over one batch; median and p90 are over the batches.
 *
 * Measurements:
 *   exit_roundtrip        KVM_RUN returning on `out dx, eax`, guest loops straight back to the OUT
 *   exit_roundtrip_getregs  the same plus one KVM_GET_REGS per exit
 *   exit_roundtrip_setregs  the same plus one KVM_SET_REGS per exit
 *   exit_roundtrip_100nops  100 NOPs between the exits: (this - exit_roundtrip) / 100 is the cost of one
 *                         simple ring-0 guest instruction (under 1 ns on hardware virtualization; on a
 *                         host whose KVM emulates ring 0, such as kvm-pvm, about a microsecond)
 *   exit_roundtrip_ring3, exit_roundtrip_100nops_ring3  the same with the guest in ring 3 (IOPL 3)
 *   vm_create_ready       memory (1 MiB, 4 pages written) + CREATE_VM + memslot + CREATE_VCPU + mmap
 *                         kvm_run + SET_CPUID2 + SET_SREGS + SET_REGS + KVM_RUN to the first exit
 *   vm_lifecycle          vm_create_ready + full teardown (munmap, close)
 *   kvm_create_vm         KVM_CREATE_VM + close only
 *   cow_dirty_64p         first write to 64 contiguous pages of a memfd mapped MAP_PRIVATE (CoW faults)
 *   dontneed_64p          one madvise(MADV_DONTNEED) over those 64 dirtied pages (the restore primitive)
 *   cow_dirty_64x1p, dontneed_64x1p  the same with every other page dirtied: 64 madvise calls
 *   syscall               getppid(), the bare syscall boundary
 *   vcpu_state_get, vcpu_state_set  the seven ioctls HyperSharp uses to capture / restore a vCPU: REGS,
 *                         SREGS, XSAVE, XCRS, DEBUGREGS, MSRS (the ones KVM has of HyperSharp's list),
 *                         VCPU_EVENTS
 *   snapshot_memfd_1m     what a snapshot of 1 MiB must do to memory: memfd_create + ftruncate + one
 *                         pwrite of the 1 MiB + F_ADD_SEALS + mmap(MAP_FIXED | MAP_PRIVATE) over it
 *
 * Restore strategies, for a ring-3 guest that writes one byte to each of the same 64 pages per run,
 * in a memslot of SIZE = 1m, 64m or 1g backed by a memfd mapped MAP_PRIVATE (the snapshot image):
 *   dontneed_refault_64p_SIZE  the KVM_RUN in which the guest writes the 64 pages after a
 *                         MADV_DONTNEED restore: 64 copy-on-write faults plus one ring-3 exit
 *   dontneed_restore_64p_SIZE  madvise(MADV_DONTNEED) over the whole slot, as GuestMemory.Reset did before the dirty log
 *   dontneed_cycle_64p_SIZE    the two together: one request's memory cost under this strategy
 *   dirtylog_refault_64p_SIZE, dirtylog_restore_64p_SIZE, dirtylog_cycle_64p_SIZE  the same with the
 *                         slot flagged KVM_MEM_LOG_DIRTY_PAGES and restore = KVM_GET_DIRTY_LOG + copy
 *                         each dirty page back from a MAP_SHARED view of the image + KVM_CLEAR_DIRTY_LOG
 *                         (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2; without it GET_DIRTY_LOG re-protects).
 *                         The pages stay private, so the refault is a write-protection fault only.
 *                         A "# dirty_log ..." line says whether the host supports dirty logging.
 *
 * What Sandbox.Restore() does now, for the limits of the side-by-side reset rows:
 *   dirtylog_reprotect_restore_Np_SIZE  N = 1, 64 or 1024 pages written by a ring-3 guest into a slot of
 *                         SIZE = 1m (1 page only) or 64m flagged KVM_MEM_LOG_DIRTY_PAGES, without manual
 *                         protect: one KVM_GET_DIRTY_LOG (which also write-protects the pages again) + one
 *                         memcpy per run of adjacent dirty pages from the MAP_SHARED view of the image
 *   vcpu_state_set_sync_ioctls  KVM_SET_XCRS, KVM_SET_XSAVE, KVM_SET_DEBUGREGS, KVM_SET_MSRS, then regs,
 *                         sregs and events copied into kvm_run->s.regs with kvm_dirty_regs set (KVM_CAP_SYNC_REGS):
 *                         all that Restore() itself spends on the vCPU
 *   vcpu_state_set_sync_run  what the staged registers add to the next KVM_RUN: that run minus a plain
 *                         ring-3 exit round trip measured right after it, on the same vCPU
 *   vcpu_state_set_sync   the two together: the whole vCPU cost of a restore, wherever it lands
 *                         (a "# sync_regs ..." line says if the host lacks KVM_CAP_SYNC_REGS)
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -o rawkvm rawkvm.c (done by the benchmark project).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (1u << 20)
#define PML4_ADDR 0x1000u
#define PDPT_ADDR 0x2000u
#define PD_ADDR 0x3000u
#define CODE_ADDR 0x8000u
#define PORT 0x6800u
#define PAGE 4096u
#define DIRTY_PAGES 64u
#define MAX_SAMPLES 4096

static int g_kvm = -1;
static int g_run_size;
static struct kvm_cpuid2 *g_cpuid;
static int g_print_samples;
static const char *g_only;

static void die(const char *what)
{
    fprintf(stderr, "rawkvm: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void fail(const char *what)
{
    fprintf(stderr, "rawkvm: %s\n", what);
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *sorted, int n, double p)
{
    int rank = (int)(p * n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static void report(const char *name, double *samples, int n)
{
    if (g_print_samples)
        for (int i = 0; i < n; i++)
            printf("sample %s %.1f\n", name, samples[i]);
    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    printf("%s %.1f %.1f %d\n", name, percentile(samples, n, 0.5), percentile(samples, n, 0.9), n);
    fflush(stdout);
}

static int wanted(const char *name)
{
    return g_only == NULL || strcmp(g_only, name) == 0;
}

/* ---- a minimal long-mode VM ---------------------------------------------------------------- */

struct vm {
    int vm_fd;
    int vcpu_fd;
    struct kvm_run *run;
    uint8_t *mem;
};

/*
 * Identity-maps the first 2 MiB with one large page (user-accessible, for the ring-3 variants) and
 * places at CODE_ADDR `nops` NOPs, then `out dx, eax`, then a jump back to the first NOP.
 */
static void write_guest(uint8_t *mem, int nops)
{
    uint64_t *pml4 = (uint64_t *)(mem + PML4_ADDR);
    uint64_t *pdpt = (uint64_t *)(mem + PDPT_ADDR);
    uint64_t *pd = (uint64_t *)(mem + PD_ADDR);
    pml4[0] = PDPT_ADDR | 0x7; /* present, writable, user */
    pdpt[0] = PD_ADDR | 0x7;
    pd[0] = 0x87; /* present, writable, user, 2 MiB page at 0 */
    uint8_t *code = mem + CODE_ADDR;
    memset(code, 0x90, (size_t)nops); /* nop */
    code[nops] = 0xef;                /* out dx, eax */
    code[nops + 1] = 0xe9;            /* jmp rel32 back to the first nop */
    int32_t back = -(nops + 1 + 5);
    memcpy(code + nops + 2, &back, sizeof back);
}

/* 64-bit long mode, ring 0 like HyperSharp's guests, or ring 3 with IOPL 3 so OUT still works. */
static void long_mode_sregs(struct kvm_sregs *s, int ring3)
{
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = ring3 ? 0x1b : 0x08, .type = 11,
        .present = 1, .dpl = ring3 ? 3 : 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = code;
    data.selector = ring3 ? 0x23 : 0x10;
    data.type = 3;
    data.l = 0;
    data.db = 1;
    s->cs = code;
    s->ds = s->es = s->fs = s->gs = s->ss = data;
    s->cr3 = PML4_ADDR;
    s->cr4 = 0x620;      /* PAE, OSFXSR, OSXMMEXCPT: as HyperSharp */
    s->cr0 = 0x80050033; /* PE, MP, ET, NE, WP, AM, PG: as HyperSharp */
    s->efer = 0xd00;     /* LME, LMA, NXE */
}

/* Everything HyperSharp does to get a vCPU to its first instruction, minus the ELF. */
static void vm_create_guest(struct vm *vm, int nops, int ring3)
{
    vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED)
        die("mmap(guest memory)");
    write_guest(vm->mem, nops);

    vm->vm_fd = ioctl(g_kvm, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        die("KVM_CREATE_VM");
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uint64_t)(uintptr_t)vm->mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        die("KVM_SET_USER_MEMORY_REGION");
    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0)
        die("KVM_CREATE_VCPU");
    vm->run = mmap(NULL, (size_t)g_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED)
        die("mmap(kvm_run)");
    if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, g_cpuid) < 0)
        die("KVM_SET_CPUID2");

    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    long_mode_sregs(&sregs, ring3);
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS");
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = CODE_ADDR;
    regs.rsp = MEM_SIZE;
    regs.rdx = PORT;
    regs.rflags = ring3 ? 0x3002 : 0x2; /* IOPL 3 in ring 3 */
    if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");
}

static void vm_create(struct vm *vm)
{
    vm_create_guest(vm, 0, 0);
}

/* One KVM_RUN; the exit must be the guest's OUT to PORT. */
static void run_once(struct vm *vm)
{
    if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return;
        die("KVM_RUN");
    }
    if (vm->run->exit_reason != KVM_EXIT_IO || vm->run->io.port != PORT ||
        vm->run->io.direction != KVM_EXIT_IO_OUT) {
        fprintf(stderr, "rawkvm: unexpected exit %u (port 0x%x)\n", vm->run->exit_reason, vm->run->io.port);
        exit(1);
    }
}

static void vm_destroy(struct vm *vm)
{
    munmap(vm->run, (size_t)g_run_size);
    close(vm->vcpu_fd);
    close(vm->vm_fd);
    munmap(vm->mem, MEM_SIZE);
}

/* ---- measurements ---------------------------------------------------------------------------- */

enum per_exit { NOTHING, GET_REGS, SET_REGS };

static void bench_roundtrip(const char *name, enum per_exit extra, int nops, int ring3, int batches, int per_batch)
{
    if (!wanted(name))
        return;
    struct vm vm;
    vm_create_guest(&vm, nops, ring3);
    struct kvm_regs regs;
    for (int i = 0; i < per_batch; i++) /* warm up */
        run_once(&vm);
    if (ioctl(vm.vcpu_fd, KVM_GET_REGS, &regs) < 0)
        die("KVM_GET_REGS");

    double samples[MAX_SAMPLES];
    for (int b = 0; b < batches; b++) {
        uint64_t start = now_ns();
        for (int i = 0; i < per_batch; i++) {
            run_once(&vm);
            if (extra == GET_REGS && ioctl(vm.vcpu_fd, KVM_GET_REGS, &regs) < 0)
                die("KVM_GET_REGS");
            if (extra == SET_REGS && ioctl(vm.vcpu_fd, KVM_SET_REGS, &regs) < 0)
                die("KVM_SET_REGS");
        }
        samples[b] = (double)(now_ns() - start) / per_batch;
    }
    vm_destroy(&vm);
    report(name, samples, batches);
}

static void bench_lifecycle(int samples_wanted)
{
    int create = wanted("vm_create_ready"), life = wanted("vm_lifecycle");
    if (!create && !life)
        return;
    struct vm vm;
    vm_create(&vm); /* warm up */
    run_once(&vm);
    vm_destroy(&vm);

    double ready[MAX_SAMPLES], whole[MAX_SAMPLES];
    for (int i = 0; i < samples_wanted; i++) {
        uint64_t start = now_ns();
        vm_create(&vm);
        run_once(&vm);
        uint64_t first_exit = now_ns();
        vm_destroy(&vm);
        uint64_t end = now_ns();
        ready[i] = (double)(first_exit - start);
        whole[i] = (double)(end - start);
    }
    if (create)
        report("vm_create_ready", ready, samples_wanted);
    if (life)
        report("vm_lifecycle", whole, samples_wanted);
}

static void bench_create_vm(int samples_wanted)
{
    if (!wanted("kvm_create_vm"))
        return;
    double samples[MAX_SAMPLES];
    for (int i = -1; i < samples_wanted; i++) {
        uint64_t start = now_ns();
        int fd = ioctl(g_kvm, KVM_CREATE_VM, 0);
        if (fd < 0)
            die("KVM_CREATE_VM");
        close(fd);
        if (i >= 0)
            samples[i] = (double)(now_ns() - start);
    }
    report("kvm_create_vm", samples, samples_wanted);
}

/*
 * The restore primitive: dirty 64 pages of a memfd mapped MAP_PRIVATE (copy-on-write faults), then
 * drop the private copies with MADV_DONTNEED so they read back as the file's. `contiguous` dirties
 * one 256 KiB run and drops it with one madvise; otherwise every other page, one madvise each.
 */
static void bench_restore(int samples_wanted, int contiguous)
{
    const char *dirty_name = contiguous ? "cow_dirty_64p" : "cow_dirty_64x1p";
    const char *drop_name = contiguous ? "dontneed_64p" : "dontneed_64x1p";
    int cow = wanted(dirty_name), dontneed = wanted(drop_name);
    if (!cow && !dontneed)
        return;
    const size_t size = MEM_SIZE;
    const size_t stride = contiguous ? PAGE : 2 * PAGE;
    int fd = memfd_create("rawkvm", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    if (ftruncate(fd, (off_t)size) < 0)
        die("ftruncate");
    /* Give the file real (page-cache) content, as a loaded guest image has. */
    uint8_t *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (shared == MAP_FAILED)
        die("mmap(MAP_SHARED)");
    memset(shared, 0xa5, size);
    munmap(shared, size);

    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (mem == MAP_FAILED)
        die("mmap(MAP_PRIVATE)");
    volatile uint8_t sink = 0;
    for (size_t off = 0; off < size; off += PAGE) /* map the file pages in, as a running guest has */
        sink ^= mem[off];

    double dirty_samples[MAX_SAMPLES], drop_samples[MAX_SAMPLES];
    for (int i = -1; i < samples_wanted; i++) {
        uint64_t start = now_ns();
        for (unsigned p = 0; p < DIRTY_PAGES; p++)
            ((volatile uint8_t *)mem)[p * stride] = (uint8_t)i;
        uint64_t dirtied = now_ns();
        if (contiguous) {
            if (madvise(mem, DIRTY_PAGES * PAGE, MADV_DONTNEED) < 0)
                die("madvise");
        } else {
            for (unsigned p = 0; p < DIRTY_PAGES; p++)
                if (madvise(mem + p * stride, PAGE, MADV_DONTNEED) < 0)
                    die("madvise");
        }
        uint64_t dropped = now_ns();
        if (i >= 0) {
            dirty_samples[i] = (double)(dirtied - start);
            drop_samples[i] = (double)(dropped - dirtied);
        }
        for (unsigned p = 0; p < DIRTY_PAGES; p++) /* restored pages read back as the file's */
            if (mem[p * stride] != 0xa5) {
                fprintf(stderr, "rawkvm: MADV_DONTNEED did not restore the file contents\n");
                exit(1);
            }
    }
    (void)sink;
    munmap(mem, size);
    close(fd);
    if (cow)
        report(dirty_name, dirty_samples, samples_wanted);
    if (dontneed)
        report(drop_name, drop_samples, samples_wanted);
}

/* ---- vCPU state and snapshot memory ------------------------------------------------------------ */

/* HyperSharp's VcpuState MSR list (src/HyperSharp/Hypervisors/Kvm/KvmMsrs.cs); those KVM has are used. */
static const uint32_t k_state_msrs[] = {
    0x3b, 0x10, 0x174, 0x175, 0x176, 0x277, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102,
    0xc0000103, 0x48, 0xda0, 0x1d9, 0x140, 0x1a0, 0x1fc, 0xc0010015, 0x17a, 0x17b, 0x6a0, 0x6a2, 0x6a4,
    0x6a5, 0x6a6, 0x6a7, 0x6a8, 0xc0010117, 0x12, 0x4b564d01, 0x4b564d03, 0x4b564d05,
};
#define STATE_MSRS (sizeof k_state_msrs / sizeof k_state_msrs[0])

struct vcpu_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_xsave xsave;
    struct kvm_xcrs xcrs;
    struct kvm_debugregs debugregs;
    struct kvm_vcpu_events events;
    struct {
        struct kvm_msrs header;
        struct kvm_msr_entry entries[STATE_MSRS];
    } msrs;
};

static void vcpu_state_get(int fd, struct vcpu_state *s)
{
    if (ioctl(fd, KVM_GET_REGS, &s->regs) < 0 || ioctl(fd, KVM_GET_SREGS, &s->sregs) < 0 ||
        ioctl(fd, KVM_GET_XSAVE, &s->xsave) < 0 || ioctl(fd, KVM_GET_XCRS, &s->xcrs) < 0 ||
        ioctl(fd, KVM_GET_DEBUGREGS, &s->debugregs) < 0 || ioctl(fd, KVM_GET_VCPU_EVENTS, &s->events) < 0)
        die("KVM_GET_* (vCPU state)");
    if (ioctl(fd, KVM_GET_MSRS, &s->msrs) != (int)s->msrs.header.nmsrs)
        die("KVM_GET_MSRS");
}

static void vcpu_state_set(int fd, struct vcpu_state *s)
{
    if (ioctl(fd, KVM_SET_SREGS, &s->sregs) < 0 || ioctl(fd, KVM_SET_REGS, &s->regs) < 0 ||
        ioctl(fd, KVM_SET_XCRS, &s->xcrs) < 0 || ioctl(fd, KVM_SET_XSAVE, &s->xsave) < 0 ||
        ioctl(fd, KVM_SET_DEBUGREGS, &s->debugregs) < 0)
        die("KVM_SET_* (vCPU state)");
    if (ioctl(fd, KVM_SET_MSRS, &s->msrs) != (int)s->msrs.header.nmsrs)
        die("KVM_SET_MSRS");
    if (ioctl(fd, KVM_SET_VCPU_EVENTS, &s->events) < 0)
        die("KVM_SET_VCPU_EVENTS");
}

#define SYNC_REGS_NEEDED (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS)

/*
 * KvmVirtualMachine.RestoreState with KVM_CAP_SYNC_REGS: four ioctls, then regs, sregs and events staged in
 * kvm_run for the next KVM_RUN to load (in that order, so the events are not cleared by the other two).
 */
static void vcpu_state_set_sync(struct vm *vm, struct vcpu_state *s)
{
    if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &s->xcrs) < 0 || ioctl(vm->vcpu_fd, KVM_SET_XSAVE, &s->xsave) < 0 ||
        ioctl(vm->vcpu_fd, KVM_SET_DEBUGREGS, &s->debugregs) < 0)
        die("KVM_SET_* (vCPU state)");
    if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &s->msrs) != (int)s->msrs.header.nmsrs)
        die("KVM_SET_MSRS");
    vm->run->s.regs.regs = s->regs;
    vm->run->s.regs.sregs = s->sregs;
    vm->run->s.regs.events = s->events;
    vm->run->kvm_dirty_regs = SYNC_REGS_NEEDED;
}

/* Keeps the MSRs of the list that KVM_GET_MSR_INDEX_LIST reports, in order, as KvmDevice does. */
static void vcpu_state_msrs(struct vcpu_state *s)
{
    struct {
        struct kvm_msr_list header;
        uint32_t indices[1024];
    } list = {.header = {.nmsrs = 1024}};
    if (ioctl(g_kvm, KVM_GET_MSR_INDEX_LIST, &list) < 0)
        die("KVM_GET_MSR_INDEX_LIST");
    unsigned n = 0;
    for (unsigned i = 0; i < STATE_MSRS; i++)
        for (unsigned j = 0; j < list.header.nmsrs; j++)
            if (list.indices[j] == k_state_msrs[i]) {
                s->msrs.entries[n++].index = k_state_msrs[i];
                break;
            }
    s->msrs.header.nmsrs = n;
}

/* A ring-0 guest VM that has run once, and its vCPU state as Sandbox.Snapshot() captures it. */
static void vm_with_captured_state(struct vm *vm, struct vcpu_state *state)
{
    vm_create_guest(vm, 0, 1);
    run_once(vm);
    vcpu_state_msrs(state);
    vcpu_state_get(vm->vcpu_fd, state);
}

static void bench_vcpu_state(int batches, int per_batch)
{
    int get = wanted("vcpu_state_get"), set = wanted("vcpu_state_set");
    if (!get && !set)
        return;
    struct vm vm;
    static struct vcpu_state state;
    vm_with_captured_state(&vm, &state);
    double get_samples[MAX_SAMPLES], set_samples[MAX_SAMPLES];
    for (int b = 0; b < batches; b++) {
        uint64_t start = now_ns();
        for (int i = 0; i < per_batch; i++)
            vcpu_state_get(vm.vcpu_fd, &state);
        uint64_t got = now_ns();
        for (int i = 0; i < per_batch; i++)
            vcpu_state_set(vm.vcpu_fd, &state);
        get_samples[b] = (double)(got - start) / per_batch;
        set_samples[b] = (double)(now_ns() - got) / per_batch;
        run_once(&vm); /* the restored state still runs */
    }
    vm_destroy(&vm);
    if (get)
        report("vcpu_state_get", get_samples, batches);
    if (set)
        report("vcpu_state_set", set_samples, batches);
}

/*
 * The vCPU half of Sandbox.Restore() with KVM_CAP_SYNC_REGS. Part of its cost lands in the next KVM_RUN
 * (KVM loads the staged regs, sregs and events, and the sregs reset the MMU context), so each restore is
 * followed by the run that loads it and then by a plain run: the difference of the two runs is the
 * restore's share of the first, measured on the same vCPU in the same instant.
 */
static void bench_vcpu_state_sync(int batches, int per_batch)
{
    int ioctls = wanted("vcpu_state_set_sync_ioctls"), run = wanted("vcpu_state_set_sync_run");
    int whole = wanted("vcpu_state_set_sync");
    if (!ioctls && !run && !whole)
        return;
    if ((ioctl(g_kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & SYNC_REGS_NEEDED) != SYNC_REGS_NEEDED) {
        printf("# sync_regs unsupported: KVM_CAP_SYNC_REGS lacks regs, sregs or events\n");
        return;
    }
    struct vm vm;
    static struct vcpu_state state;
    vm_with_captured_state(&vm, &state);
    vm.run->kvm_valid_regs = 0; /* as HyperSharp: nothing copied out at exits */
    double ioctl_samples[MAX_SAMPLES], run_samples[MAX_SAMPLES], whole_samples[MAX_SAMPLES];
    for (int b = -1; b < batches; b++) { /* one warm-up batch */
        uint64_t in_ioctls = 0, in_staged_runs = 0, in_plain_runs = 0;
        for (int i = 0; i < per_batch; i++) {
            uint64_t start = now_ns();
            vcpu_state_set_sync(&vm, &state);
            uint64_t staged = now_ns();
            run_once(&vm);
            uint64_t loaded = now_ns();
            run_once(&vm);
            uint64_t end = now_ns();
            if (vm.run->kvm_dirty_regs != 0)
                fail("KVM_RUN did not load the staged registers");
            in_ioctls += staged - start;
            in_staged_runs += loaded - staged;
            in_plain_runs += end - loaded;
        }
        if (b < 0)
            continue;
        ioctl_samples[b] = (double)in_ioctls / per_batch;
        run_samples[b] = ((double)in_staged_runs - (double)in_plain_runs) / per_batch;
        whole_samples[b] = ioctl_samples[b] + run_samples[b];
    }
    vm_destroy(&vm);
    if (ioctls)
        report("vcpu_state_set_sync_ioctls", ioctl_samples, batches);
    if (run)
        report("vcpu_state_set_sync_run", run_samples, batches);
    if (whole)
        report("vcpu_state_set_sync", whole_samples, batches);
}

/* Copies the guest's 1 MiB into a new sealed memfd and remaps the guest memory onto it, privately. */
static void bench_snapshot_memfd(int samples_wanted)
{
    if (!wanted("snapshot_memfd_1m"))
        return;
    struct vm vm;
    vm_create_guest(&vm, 0, 1);
    run_once(&vm);
    double samples[MAX_SAMPLES];
    for (int i = -1; i < samples_wanted; i++) {
        uint64_t start = now_ns();
        int fd = memfd_create("rawkvm-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
            die("memfd_create");
        if (ftruncate(fd, MEM_SIZE) < 0)
            die("ftruncate");
        if (pwrite(fd, vm.mem, MEM_SIZE, 0) != (ssize_t)MEM_SIZE)
            die("pwrite");
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
            die("F_ADD_SEALS");
        if (mmap(vm.mem, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd, 0) != vm.mem)
            die("mmap(MAP_FIXED)");
        close(fd); /* the mapping keeps the image */
        uint64_t end = now_ns();
        if (i >= 0)
            samples[i] = (double)(end - start);
        run_once(&vm); /* the guest runs from the remapped image and dirties its page again */
    }
    vm_destroy(&vm);
    report("snapshot_memfd_1m", samples, samples_wanted);
}

/* ---- restore strategies: MADV_DONTNEED against dirty log + copy-back ------------------------- */

#define DIRTY_BASE 0x40000u /* the pages the guest writes start at 256 KiB */
#define MAX_DIRTIED_PAGES 1024u
#define IDENTITY_MAPPED (8u << 20) /* DIRTY_BASE + 1,024 pages fit */

/*
 * Ring-3 code at CODE_ADDR: write one byte to each of `pages` pages at DIRTY_BASE, OUT, start over.
 *   mov edi, DIRTY_BASE; mov ecx, pages; 1: mov [rdi], cl; add rdi, 4096; dec ecx; jnz 1b; out dx, eax; jmp start
 * The page-table entries carry accessed and dirty bits already, so the walk writes no guest memory.
 */
static void write_dirtying_guest(uint8_t *mem, unsigned pages)
{
    uint64_t *pml4 = (uint64_t *)(mem + PML4_ADDR);
    uint64_t *pdpt = (uint64_t *)(mem + PDPT_ADDR);
    uint64_t *pd = (uint64_t *)(mem + PD_ADDR);
    pml4[0] = PDPT_ADDR | 0x27; /* present, writable, user, accessed */
    pdpt[0] = PD_ADDR | 0x27;
    for (unsigned i = 0; i < IDENTITY_MAPPED >> 21; i++)
        pd[i] = ((uint64_t)i << 21) | 0xe7; /* present, writable, user, accessed, dirty, 2 MiB page */
    const uint8_t code[] = {
        0xbf, DIRTY_BASE & 0xff, (DIRTY_BASE >> 8) & 0xff, (DIRTY_BASE >> 16) & 0xff, DIRTY_BASE >> 24,
        0xb9, pages & 0xff, (pages >> 8) & 0xff, 0, 0,
        0x88, 0x0f,
        0x48, 0x81, 0xc7, 0x00, 0x10, 0x00, 0x00,
        0xff, 0xc9,
        0x75, 0xf3,
        0xef,
        0xeb, 0xe6,
    };
    memcpy(mem + CODE_ADDR, code, sizeof code);
    memset(mem + DIRTY_BASE, 0xa5, (size_t)pages * PAGE);
}

/* How a slot's pages are returned to the image. */
enum restore_mode {
    DONTNEED,           /* no dirty log: madvise(MADV_DONTNEED) over the slot */
    DIRTY_LOG_CLEAR,    /* KVM_GET_DIRTY_LOG + KVM_CLEAR_DIRTY_LOG where the host has manual protect */
    DIRTY_LOG_REPROTECT /* KVM_GET_DIRTY_LOG alone, which write-protects again: what HyperSharp does */
};

struct slot_vm {
    struct vm vm;
    size_t size;
    unsigned pages; /* how many pages the guest writes per run */
    uint8_t *image; /* MAP_SHARED read-only view of the image: the pristine copy */
    uint64_t *bitmap;
    size_t bitmap_bytes;
    int manual_protect;
};

/*
 * A ring-3 VM whose one slot of `size` bytes maps an image memfd MAP_PRIVATE and whose guest writes `pages`
 * pages per run. Returns 0 if KVM refused the flags.
 */
static int slot_vm_create(struct slot_vm *s, size_t size, unsigned pages, enum restore_mode mode)
{
    int dirty_log = mode != DONTNEED;
    memset(s, 0, sizeof *s);
    s->size = size;
    s->pages = pages;
    int fd = memfd_create("rawkvm-image", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    if (ftruncate(fd, (off_t)size) < 0)
        die("ftruncate");
    s->image = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (s->image == MAP_FAILED)
        die("mmap(image)");
    write_dirtying_guest(s->image, pages); /* the rest of the image stays holes, like HyperSharp's heap */
    if (mprotect(s->image, size, PROT_READ) < 0)
        die("mprotect(image)");
    s->vm.mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    if (s->vm.mem == MAP_FAILED)
        die("mmap(MAP_PRIVATE)");
    close(fd);

    s->vm.vm_fd = ioctl(g_kvm, KVM_CREATE_VM, 0);
    if (s->vm.vm_fd < 0)
        die("KVM_CREATE_VM");
    if (mode == DIRTY_LOG_CLEAR) {
        struct kvm_enable_cap cap = {.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, .args = {KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE}};
        s->manual_protect = ioctl(s->vm.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0 &&
                            ioctl(s->vm.vm_fd, KVM_ENABLE_CAP, &cap) == 0;
    }
    if (dirty_log) {
        s->bitmap_bytes = (size / PAGE + 63) / 64 * 8;
        s->bitmap = calloc(1, s->bitmap_bytes);
        if (s->bitmap == NULL)
            die("calloc(bitmap)");
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = dirty_log ? KVM_MEM_LOG_DIRTY_PAGES : 0, .guest_phys_addr = 0,
        .memory_size = size, .userspace_addr = (uint64_t)(uintptr_t)s->vm.mem,
    };
    if (ioctl(s->vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        if (!dirty_log)
            die("KVM_SET_USER_MEMORY_REGION");
        printf("# dirty_log unsupported: KVM_SET_USER_MEMORY_REGION(KVM_MEM_LOG_DIRTY_PAGES): %s\n", strerror(errno));
        return 0;
    }
    s->vm.vcpu_fd = ioctl(s->vm.vm_fd, KVM_CREATE_VCPU, 0);
    if (s->vm.vcpu_fd < 0)
        die("KVM_CREATE_VCPU");
    s->vm.run = mmap(NULL, (size_t)g_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->vm.vcpu_fd, 0);
    if (s->vm.run == MAP_FAILED)
        die("mmap(kvm_run)");
    if (ioctl(s->vm.vcpu_fd, KVM_SET_CPUID2, g_cpuid) < 0)
        die("KVM_SET_CPUID2");
    struct kvm_sregs sregs;
    if (ioctl(s->vm.vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    long_mode_sregs(&sregs, 1);
    if (ioctl(s->vm.vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = CODE_ADDR, .rsp = 0x8000, .rdx = PORT, .rflags = 0x3002};
    if (ioctl(s->vm.vcpu_fd, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");
    return 1;
}

static void slot_vm_destroy(struct slot_vm *s)
{
    munmap(s->vm.run, (size_t)g_run_size);
    close(s->vm.vcpu_fd);
    close(s->vm.vm_fd);
    munmap(s->vm.mem, s->size);
    munmap(s->image, s->size);
    free(s->bitmap);
}

/* KVM_GET_DIRTY_LOG, copy every dirty page back from the image, KVM_CLEAR_DIRTY_LOG. Returns the pages copied. */
static unsigned dirtylog_restore(struct slot_vm *s)
{
    struct kvm_dirty_log log = {.slot = 0, .dirty_bitmap = s->bitmap};
    if (ioctl(s->vm.vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
        die("KVM_GET_DIRTY_LOG");
    unsigned copied = 0;
    for (size_t w = 0; w < s->bitmap_bytes / 8; w++)
        for (uint64_t bits = s->bitmap[w]; bits != 0; bits &= bits - 1) {
            size_t offset = (w * 64 + (size_t)__builtin_ctzll(bits)) * PAGE;
            memcpy(s->vm.mem + offset, s->image + offset, PAGE);
            copied++;
        }
    if (s->manual_protect) {
        struct kvm_clear_dirty_log clear = {
            .slot = 0, .num_pages = (uint32_t)(s->bitmap_bytes * 8), .first_page = 0, .dirty_bitmap = s->bitmap,
        };
        if (ioctl(s->vm.vm_fd, KVM_CLEAR_DIRTY_LOG, &clear) < 0)
            die("KVM_CLEAR_DIRTY_LOG");
    }
    return copied;
}

/*
 * GuestMemory.Reset's copy: one memcpy per run of adjacent dirty pages, after one KVM_GET_DIRTY_LOG that
 * (without manual protect) also write-protects the pages again. Returns the pages copied.
 */
static unsigned dirtylog_reprotect_restore(struct slot_vm *s)
{
    struct kvm_dirty_log log = {.slot = 0, .dirty_bitmap = s->bitmap};
    if (ioctl(s->vm.vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
        die("KVM_GET_DIRTY_LOG");
    const size_t pages = s->size / PAGE;
    unsigned copied = 0;
    size_t page = 0;
    while (page < pages) {
        uint64_t word = s->bitmap[page / 64] >> (page % 64);
        if (word == 0) {
            page = (page / 64 + 1) * 64;
            continue;
        }
        page += (size_t)__builtin_ctzll(word);
        size_t start = page;
        while (page < pages && (s->bitmap[page / 64] >> (page % 64) & 1) != 0)
            page++;
        memcpy(s->vm.mem + start * PAGE, s->image + start * PAGE, (page - start) * PAGE);
        copied += (unsigned)(page - start);
    }
    return copied;
}

/* The slot of a VM whose memslot KVM refused: only the memory and the VM exist yet. */
static void slot_vm_abandon(struct slot_vm *s)
{
    close(s->vm.vm_fd);
    munmap(s->vm.mem, s->size);
    munmap(s->image, s->size);
    free(s->bitmap);
}

/* The guest's pages read as the image again (checked from the host, outside the timed part). */
static void check_restored(const struct slot_vm *s, const char *how)
{
    for (unsigned p = 0; p < s->pages; p++)
        if (s->vm.mem[DIRTY_BASE + p * PAGE] != 0xa5) {
            fprintf(stderr, "rawkvm: %s did not restore page %u\n", how, p);
            exit(1);
        }
}

static void bench_restore_strategy(const char *size_name, size_t size, int dirty_log, int samples_wanted)
{
    char refault_name[64], restore_name[64], cycle_name[64];
    const char *strategy = dirty_log ? "dirtylog" : "dontneed";
    snprintf(refault_name, sizeof refault_name, "%s_refault_64p_%s", strategy, size_name);
    snprintf(restore_name, sizeof restore_name, "%s_restore_64p_%s", strategy, size_name);
    snprintf(cycle_name, sizeof cycle_name, "%s_cycle_64p_%s", strategy, size_name);
    if (!wanted(refault_name) && !wanted(restore_name) && !wanted(cycle_name))
        return;
    struct slot_vm s;
    if (!slot_vm_create(&s, size, DIRTY_PAGES, dirty_log ? DIRTY_LOG_CLEAR : DONTNEED)) {
        slot_vm_abandon(&s);
        return;
    }
    double refault[MAX_SAMPLES], restore[MAX_SAMPLES], cycle[MAX_SAMPLES];
    for (int i = -2; i < samples_wanted; i++) { /* two warm-up cycles: the first makes the pages private */
        uint64_t start = now_ns();
        run_once(&s.vm);
        uint64_t ran = now_ns();
        unsigned copied = DIRTY_PAGES;
        if (dirty_log)
            copied = dirtylog_restore(&s);
        else if (madvise(s.vm.mem, size, MADV_DONTNEED) < 0)
            die("madvise");
        uint64_t end = now_ns();
        if (copied < DIRTY_PAGES)
            fail("KVM_GET_DIRTY_LOG reported fewer than the 64 pages the guest wrote");
        if (i >= 0) {
            refault[i] = (double)(ran - start);
            restore[i] = (double)(end - ran);
            cycle[i] = (double)(end - start);
        }
    }
    check_restored(&s, strategy);
    if (dirty_log && samples_wanted > 0)
        printf("# dirty_log %s: supported, %s\n", size_name,
               s.manual_protect ? "KVM_CLEAR_DIRTY_LOG (manual protect)" : "KVM_GET_DIRTY_LOG re-protects");
    slot_vm_destroy(&s);
    report(refault_name, refault, samples_wanted);
    report(restore_name, restore, samples_wanted);
    report(cycle_name, cycle, samples_wanted);
}

/*
 * Sandbox.Restore()'s memory half as HyperSharp does it now: the guest writes `pages` pages, the restore
 * reads the dirty log (re-protecting) and copies the dirty runs back. Only the restore is timed, as the
 * side-by-side reset rows time only Restore().
 */
static void bench_reprotect_restore(const char *size_name, size_t size, unsigned pages, int samples_wanted)
{
    char name[64];
    snprintf(name, sizeof name, "dirtylog_reprotect_restore_%up_%s", pages, size_name);
    if (!wanted(name))
        return;
    struct slot_vm s;
    if (!slot_vm_create(&s, size, pages, DIRTY_LOG_REPROTECT)) {
        slot_vm_abandon(&s);
        return;
    }
    double restore[MAX_SAMPLES];
    for (int i = -2; i < samples_wanted; i++) { /* two warm-up cycles: the first makes the pages private */
        run_once(&s.vm);
        uint64_t start = now_ns();
        unsigned copied = dirtylog_reprotect_restore(&s);
        uint64_t end = now_ns();
        if (copied != pages) {
            fprintf(stderr, "rawkvm: %s: KVM_GET_DIRTY_LOG reported %u pages, the guest wrote %u\n", name, copied, pages);
            exit(1);
        }
        if (i >= 0)
            restore[i] = (double)(end - start);
    }
    check_restored(&s, name);
    slot_vm_destroy(&s);
    report(name, restore, samples_wanted);
}

/* The slot sizes of HyperSharp's side-by-side sandboxes: ~1 MiB for the call + reset cycle, ~64 MiB for the reset rows. */
static void bench_reprotect_restores(int samples_wanted)
{
    bench_reprotect_restore("1m", 1u << 20, 1, samples_wanted);
    bench_reprotect_restore("64m", 64u << 20, 1, samples_wanted);
    bench_reprotect_restore("64m", 64u << 20, 64, samples_wanted);
    bench_reprotect_restore("64m", 64u << 20, MAX_DIRTIED_PAGES, samples_wanted);
}

static void bench_restore_strategies(int samples_wanted)
{
    static const struct {
        const char *name;
        size_t size;
    } sizes[] = {{"1m", 1u << 20}, {"64m", 64u << 20}, {"1g", 1u << 30}};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bench_restore_strategy(sizes[i].name, sizes[i].size, 0, samples_wanted);
        bench_restore_strategy(sizes[i].name, sizes[i].size, 1, samples_wanted);
    }
}

static void bench_syscall(int batches, int per_batch)
{
    if (!wanted("syscall"))
        return;
    double samples[MAX_SAMPLES];
    for (int b = 0; b < batches; b++) {
        uint64_t start = now_ns();
        for (int i = 0; i < per_batch; i++)
            (void)getppid();
        samples[b] = (double)(now_ns() - start) / per_batch;
    }
    report("syscall", samples, batches);
}

/* ---- setup ----------------------------------------------------------------------------------- */

static void open_kvm(void)
{
    g_kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (g_kvm < 0)
        die("open /dev/kvm");
    if (ioctl(g_kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        fprintf(stderr, "rawkvm: unexpected KVM API version\n");
        exit(1);
    }
    g_run_size = ioctl(g_kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (g_run_size <= 0)
        die("KVM_GET_VCPU_MMAP_SIZE");
    for (unsigned n = 64; n <= 4096; n *= 2) {
        g_cpuid = calloc(1, sizeof *g_cpuid + n * sizeof g_cpuid->entries[0]);
        if (g_cpuid == NULL)
            die("calloc");
        g_cpuid->nent = n;
        if (ioctl(g_kvm, KVM_GET_SUPPORTED_CPUID, g_cpuid) == 0)
            return;
        if (errno != E2BIG)
            die("KVM_GET_SUPPORTED_CPUID");
        free(g_cpuid);
    }
    fprintf(stderr, "rawkvm: KVM_GET_SUPPORTED_CPUID: too many entries\n");
    exit(1);
}

int main(int argc, char **argv)
{
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--samples") == 0)
            g_print_samples = 1;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            g_only = argv[++i];
        else {
            fprintf(stderr, "usage: rawkvm [--quick] [--samples] [--only NAME]\n");
            return 2;
        }
    }
    open_kvm();

    int batches = quick ? 10 : 20;
    int per_batch = quick ? 500 : 2000;
    int create_samples = quick ? 20 : 100;
    bench_roundtrip("exit_roundtrip", NOTHING, 0, 0, batches, per_batch);
    bench_roundtrip("exit_roundtrip_getregs", GET_REGS, 0, 0, batches, per_batch);
    bench_roundtrip("exit_roundtrip_setregs", SET_REGS, 0, 0, batches, per_batch);
    bench_roundtrip("exit_roundtrip_100nops", NOTHING, 100, 0, batches, per_batch / 20);
    bench_roundtrip("exit_roundtrip_ring3", NOTHING, 0, 1, batches, per_batch);
    bench_roundtrip("exit_roundtrip_100nops_ring3", NOTHING, 100, 1, batches, per_batch);
    bench_lifecycle(create_samples);
    bench_create_vm(create_samples);
    bench_restore(create_samples, 1);
    bench_restore(create_samples, 0);
    bench_vcpu_state(batches, per_batch / 10);
    bench_vcpu_state_sync(batches, per_batch / 10);
    bench_snapshot_memfd(create_samples);
    bench_restore_strategies(create_samples);
    bench_reprotect_restores(create_samples);
    bench_syscall(batches, per_batch * 10);
    return 0;
}
