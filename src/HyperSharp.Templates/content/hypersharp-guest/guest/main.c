/* A HyperSharp guest: a freestanding program with no operating system, which runs inside a KVM micro-VM.
 * hs_main registers the functions the host may call; each gets its arguments in `call` and puts its result in
 * `result`. The C library works as usual (stdio output goes to the host). */
#include <stdio.h>
#include <hypersharp/guest.h>

static void add(const hs_call *call, hs_result *result)
{
    hs_return_int(result, hs_arg_int(call, 0) + hs_arg_int(call, 1));
}

static void greet(const hs_call *call, hs_result *result)
{
    size_t length;
    const char *name = hs_arg_string(call, 0, &length);
    printf("guest: greeting %s\n", name);
    char text[128];
    snprintf(text, sizeof text, "hello, %s, from a micro-VM", name);
    hs_return_string(result, text);
}

/* Calls back into the host: HostMultiply is defined in Program.cs. */
static void square(const hs_call *call, hs_result *result)
{
    int32_t n = hs_arg_int(call, 0);
    hs_host_reply reply;
    if (!hs_call_host("HostMultiply", HS_TYPE_INT, &reply, 2, hs_int(n), hs_int(n))) {
        hs_return_host_error(result, &reply);
        return;
    }
    hs_return_int(result, reply.value.as.i32);
}

/* A guest bug: the write faults inside the VM, and the host gets a GuestFaultException. */
static void crash(const hs_call *call, hs_result *result)
{
    (void)call;
    volatile int *nowhere = (volatile int *)0;
    hs_return_int(result, *nowhere);
}

void hs_main(void)
{
    hs_register("Add", HS_TYPE_INT, add, 2, HS_TYPE_INT, HS_TYPE_INT);
    hs_register("Greet", HS_TYPE_STRING, greet, 1, HS_TYPE_STRING);
    hs_register("Square", HS_TYPE_INT, square, 1, HS_TYPE_INT);
    hs_register("Crash", HS_TYPE_INT, crash, 0);
}
