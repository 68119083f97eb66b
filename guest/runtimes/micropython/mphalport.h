/* MicroPython's hardware abstraction for the guest (hal.c): there are no pins, no interrupts
 * and no console; the clock and the output streams come from the SDK and the script protocol. */
#include <stddef.h>

#define mp_hal_pin_obj_t

void mp_hal_set_interrupt_char(int c);
