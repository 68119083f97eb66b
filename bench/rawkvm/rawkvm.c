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
    bench_syscall(batches, per_batch * 10);
    return 0;
}
