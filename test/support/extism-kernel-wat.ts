/**
 * Test support: WAT import declarations for the Extism kernel (`extism:host/env`) with the Rust
 * kernel's signatures, and small WAT bodies that write output through it, for engine tests that
 * hand-write hostile guests.
 */

/** Kernel imports with stable `$names`; paste inside `(module …)`. */
export const KERNEL_IMPORTS = `
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
`;

/**
 * A `$write` helper: copies `len` bytes of guest memory at `ptr` into a fresh kernel block and
 * returns the block's address. Needs a memory in the module.
 */
export const WRITE_HELPER = `
  (func $write (param $ptr i32) (param $len i32) (result i64) (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8
          (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.get $block))
`;

/** An `echo` export: output = input, byte for byte. */
export const ECHO_EXPORT = `
  (func (export "echo") (result i32) (local $n i64) (local $block i64) (local $i i64)
    (local.set $n (call $input_length))
    (local.set $block (call $alloc (local.get $n)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $block) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (call $output_set (local.get $block) (local.get $n))
    (i32.const 0))
`;
