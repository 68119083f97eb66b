/*
 * malloc & co. over the PEB heap: first fit from a doubly linked list of free blocks. Each
 * block starts with a header holding its own size and its lower neighbour's size (boundary
 * tags), so free() merges a block with both neighbours in O(1). A header is 16 bytes and block
 * sizes are multiples of 16, so every payload is 16-byte aligned. An in-use sentinel header at
 * the top ends the heap.
 *
 * A request the heap cannot satisfy returns NULL, as C requires: interpreters and parsers turn
 * that into their own out-of-memory errors and carry on. Only a corrupt heap (free or realloc of
 * something malloc did not hand out) aborts the guest.
 */
#include "internal.h"

typedef struct block {
    size_t lower_size; /* size of the block just below, 0 for the lowest block */
    size_t size;       /* whole block, header included; bit 0 set while in use */
} block;

/* A free block keeps the list links in its payload. */
typedef struct free_block {
    block header;
    struct free_block *next, *previous;
} free_block;

#define ALIGNMENT 16u
#define IN_USE ((size_t)1)
#define MIN_BLOCK sizeof(free_block)

_Static_assert(sizeof(block) == ALIGNMENT, "payloads must stay 16-byte aligned");
_Static_assert(sizeof(free_block) == 2 * ALIGNMENT, "MIN_BLOCK must be a multiple of 16");

static uint8_t *heap_start;
static block *sentinel;
static free_block *free_list;
static size_t heap_bytes, free_bytes;

static size_t size_of(const block *b) { return b->size & ~IN_USE; }
static bool is_used(const block *b) { return b->size & IN_USE; }
static block *upper(block *b) { return (block *)((uint8_t *)b + size_of(b)); }
static block *lower(block *b) { return (block *)((uint8_t *)b - b->lower_size); }
static block *header_of(void *payload) { return (block *)payload - 1; }
static void *payload_of(block *b) { return b + 1; }

/* Sets a block's size and state and tells its upper neighbour. */
static void set_block(block *b, size_t size, size_t used)
{
    b->size = size | used;
    upper(b)->lower_size = size;
}

static void push(block *b)
{
    free_block *f = (free_block *)b;
    f->previous = NULL;
    f->next = free_list;
    if (free_list)
        free_list->previous = f;
    free_list = f;
}

static void unlink(block *b)
{
    free_block *f = (free_block *)b;
    if (f->previous)
        f->previous->next = f->next;
    else
        free_list = f->next;
    if (f->next)
        f->next->previous = f->previous;
}

HS_COLD void hs_heap_init(uint64_t base, uint64_t size)
{
    free_list = NULL; /* from scratch, so tools/sdkcheck can start a heap more than once */
    heap_bytes = free_bytes = 0;
    uint64_t start = (base + ALIGNMENT - 1) & ~(uint64_t)(ALIGNMENT - 1);
    uint64_t end = (base + size) & ~(uint64_t)(ALIGNMENT - 1);
    if (end < start + MIN_BLOCK + sizeof(block))
        return; /* too small to hold anything: every request runs out of memory */
    heap_start = (uint8_t *)(uintptr_t)start;
    sentinel = (block *)(uintptr_t)(end - sizeof(block));
    sentinel->size = 0 | IN_USE;
    block *first = (block *)heap_start;
    first->lower_size = 0;
    set_block(first, (size_t)((uint8_t *)sentinel - heap_start), 0);
    push(first);
    heap_bytes = free_bytes = size_of(first);
}

/* The block size that holds `n` payload bytes, or 0 if none can. */
static size_t block_size_for(size_t n)
{
    if (n > heap_bytes)
        return 0;
    size_t size = (n + sizeof(block) + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
    return size < MIN_BLOCK ? MIN_BLOCK : size;
}

/* Marks a block in use, handing any tail of at least MIN_BLOCK bytes back to the free list. */
static void use(block *b, size_t size)
{
    size_t available = size_of(b);
    if (available - size >= MIN_BLOCK) {
        set_block(b, size, IN_USE);
        block *rest = upper(b);
        set_block(rest, available - size, 0);
        push(rest);
    } else {
        set_block(b, available, IN_USE);
    }
    free_bytes -= size_of(b);
}

static block *checked_header(void *payload, const char *function)
{
    block *b = header_of(payload);
    if (((uintptr_t)payload & (ALIGNMENT - 1)) != 0 || (uint8_t *)b < heap_start ||
        b >= sentinel || !is_used(b) || size_of(b) < MIN_BLOCK ||
        size_of(b) > (size_t)((uint8_t *)sentinel - (uint8_t *)b) ||
        upper(b)->lower_size != size_of(b))
        hs_abortf(HS_ABORT_ASSERTION, "%s(%p): not a live block from malloc", function, payload);
    return b;
}

void *malloc(size_t n)
{
    size_t size = block_size_for(n);
    if (size != 0) {
        for (free_block *f = free_list; f; f = f->next) {
            if (size_of(&f->header) >= size) {
                unlink(&f->header);
                use(&f->header, size);
                return payload_of(&f->header);
            }
        }
    }
    return NULL;
}

void free(void *payload)
{
    if (!payload)
        return;
    block *b = checked_header(payload, "free");
    size_t size = size_of(b);
    free_bytes += size;
    b->size = size; /* clear IN_USE first: a stale header must not pass as live */
    block *above = upper(b);
    if (!is_used(above)) {
        unlink(above);
        size += size_of(above);
    }
    if (b->lower_size != 0 && !is_used(lower(b))) {
        block *below = lower(b);
        unlink(below);
        size += size_of(below);
        b = below;
    }
    set_block(b, size, 0);
    push(b);
}

void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = malloc(count * size);
    return p ? memset(p, 0, count * size) : NULL;
}

void *realloc(void *payload, size_t n)
{
    if (!payload)
        return malloc(n);
    if (n == 0) {
        free(payload);
        return NULL;
    }
    block *b = checked_header(payload, "realloc");
    size_t size = block_size_for(n);
    if (size == 0)
        return NULL;
    size_t current = size_of(b);
    block *above = upper(b);
    if (current < size && !is_used(above) && current + size_of(above) >= size) {
        /* Grow in place into the free upper neighbour. */
        unlink(above);
        free_bytes -= size_of(above);
        current += size_of(above);
        set_block(b, current, IN_USE);
    }
    if (current >= size) {
        if (current - size >= MIN_BLOCK) {
            /* Give the tail back; free() merges it with whatever is free above. */
            set_block(b, size, IN_USE);
            block *rest = upper(b);
            set_block(rest, current - size, IN_USE);
            free(payload_of(rest));
        }
        return payload;
    }
    void *moved = malloc(n);
    if (!moved)
        return NULL; /* C: the old block stays valid and untouched */
    memcpy(moved, payload, current - sizeof(block));
    free(payload);
    return moved;
}

size_t malloc_usable_size(void *payload)
{
    return payload ? size_of(checked_header(payload, "malloc_usable_size")) - sizeof(block) : 0;
}

void *aligned_alloc(size_t alignment, size_t n)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return NULL;
    if (alignment <= ALIGNMENT)
        return malloc(n);
    if (n > heap_bytes || alignment > heap_bytes)
        return NULL;
    /* Over-allocate, then hand the part below the aligned address back as a free block: it is
     * at least MIN_BLOCK bytes, so it can stand alone. */
    uint8_t *raw = malloc(n + alignment + MIN_BLOCK);
    if (!raw)
        return NULL;
    uintptr_t aligned = ((uintptr_t)raw + MIN_BLOCK + alignment - 1) & ~(uintptr_t)(alignment - 1);
    block *b = header_of(raw);
    block *a = header_of((void *)aligned);
    size_t lead = (size_t)((uint8_t *)a - (uint8_t *)b);
    size_t total = size_of(b);
    set_block(b, lead, IN_USE);
    set_block(a, total - lead, IN_USE);
    free(raw);
    return realloc((void *)aligned, n); /* shrinks in place, giving the tail back */
}
