;; The Wasmtime contender's guest: the functions of guest/tests/simpleguest that `compare` calls, in
;; WebAssembly. The host passes data through fixed regions of linear memory, as HyperSharp passes it
;; through its input and output buffers:
;;   0       .. 64 KiB   input (the host writes arguments here)
;;   64 KiB  .. 128 KiB  output (the host reads results from here)
;;   128 KiB .. 4.125 MiB the pages dirty_pages writes (1,024 × 4 KiB)
(module
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))

  ;; 72 × 64 KiB = 4.5 MiB: both buffers and 1,024 dirtyable pages.
  (memory (export "memory") 72)

  (global $input i32 (i32.const 0))
  (global $output i32 (i32.const 65536))
  (global $buffer_size i32 (i32.const 65536))
  (global $dirty_base i32 (i32.const 131072))

  ;; Echo(string): copies the UTF-8 input to the output; returns its length.
  (func (export "echo") (param $length i32) (result i32)
    (if (i32.gt_u (local.get $length) (global.get $buffer_size)) (then unreachable))
    (memory.copy (global.get $output) (global.get $input) (local.get $length))
    (local.get $length))

  ;; CallHostAdd(a, b): one call out to the host, like simpleguest's CallHostAdd.
  (func (export "call_host_add") (param $a i32) (param $b i32) (result i32)
    (call $host_add (local.get $a) (local.get $b)))

  ;; 24 KiB in, 8 KiB out: returns the first 8 KiB of the input, as Hyperlight's 24K_in_8K_out workload.
  (func (export "bytes_24k_in_8k_out") (param $length i32) (result i32)
    (local $out i32)
    (if (i32.gt_u (local.get $length) (global.get $buffer_size)) (then unreachable))
    (local.set $out (select (i32.const 8192) (local.get $length) (i32.gt_u (local.get $length) (i32.const 8192))))
    (memory.copy (global.get $output) (global.get $input) (local.get $out))
    (local.get $out))

  ;; DirtyPages(n): writes one byte to each of n 4 KiB pages, as simpleguest's DirtyPages; returns n.
  (func (export "dirty_pages") (param $count i32) (result i32)
    (local $i i32)
    (if (i32.gt_u (local.get $count) (i32.const 1024)) (then unreachable))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (i32.store8
          (i32.add (global.get $dirty_base) (i32.mul (local.get $i) (i32.const 4096)))
          (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $count))
)
