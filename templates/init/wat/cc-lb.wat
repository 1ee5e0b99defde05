;; __PLUGIN_NAME__ — a cc-lb __KIND__ plugin written by hand in WebAssembly text.
;;
;; Every export takes no arguments and returns an i32: 0 after setting the output, 1 after setting
;; the error text (the host then reports exactly that text). The exports are `cc_lb_handshake`
;; (version negotiation), `cc_lb_self_check` (the host's health probe) and the wire functions of
;; a __KIND__ plugin, which sit behind the `_v` envelope a PDK handler checks: `_v` missing or not
;; an unsigned integer → `plugin envelope missing numeric _v`, any other number than 1 →
;; `unsupported plugin envelope _v: N`; every response starts with `"_v":1`.
;;
;; Only Extism kernel functions are imported: the cc-lb host gives plugins nothing else.
;;
;; JSON handling: the host sends well-formed, compact JSON but promises no key order, so values are
;; found by walking objects, never by position. Values are copied into the output still escaped (a
;; JSON string's escaped content, pasted into another JSON string, decodes to the same text), so
;; nothing is decoded or re-escaped. Keys are compared as raw bytes: the host never escapes the
;; ASCII key names of the protocol.
;;
;; Your plugin's behaviour is at the end of this file ("your plugin"); the rest is plumbing.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))

  ;; Memory layout:
  ;;   0x0f00   what $collect found: per key asked for, where its value starts and ends (two i32)
  ;;   0x1000   constant texts of the plumbing, NUL-terminated; a key list is texts one after
  ;;            another, ended by an empty text (a second NUL)
  ;;   0x2000   constant texts of your plugin
  ;;   0x10000  the call's input, two sentinel quote bytes, then the output being built
  (memory 2)
  (global $FOUND i32 (i32.const 0x0f00))
  (global $IN i32 (i32.const 0x10000))
  (global $in_end (mut i32) (i32.const 0x10000))
  (global $out_base (mut i32) (i32.const 0x10000))
  (global $out_pos (mut i32) (i32.const 0x10000))

  ;; ---- constant texts ------------------------------------------------------------------------
  (global $KEY_V i32 (i32.const 0x1000))
  (data (i32.const 0x1000) "_v\00\00")
  (global $KEY_INITIATED_AT i32 (i32.const 0x1010))
  (data (i32.const 0x1010) "initiated_at\00\00")
  ;; found: 0 handshake_schema_version, 1 envelope_version, 2 function_versions
  (global $OFFER_KEYS i32 (i32.const 0x1040))
  (data (i32.const 0x1040) "handshake_schema_version\00envelope_version\00function_versions\00\00")
  (global $U64_MAX i32 (i32.const 0x1100))
  (data (i32.const 0x1100) "18446744073709551615\00")
  (global $MSG_MISSING_V i32 (i32.const 0x1200))
  (data (i32.const 0x1200) "plugin envelope missing numeric _v\00")
  (global $MSG_UNSUPPORTED_V i32 (i32.const 0x1240))
  (data (i32.const 0x1240) "unsupported plugin envelope _v: \00")
  (global $MSG_BAD_OFFER i32 (i32.const 0x1280))
  (data (i32.const 0x1280) "malformed handshake offer\00")
  (global $MSG_BAD_SELF_CHECK i32 (i32.const 0x12c0))
  (data (i32.const 0x12c0) "malformed self-check request\00")
  (global $MSG_BAD_TIMESTAMP i32 (i32.const 0x1300))
  (data (i32.const 0x1300) "invalid timestamp: initiated_at must be positive\00")
  (global $ACCEPT_HEAD i32 (i32.const 0x1400))
  (data (i32.const 0x1400) "{\"handshake_schema_version\":\00")
  (global $ACCEPT_ENVELOPE i32 (i32.const 0x1440))
  (data (i32.const 0x1440) ",\"envelope_version\":\00")
  (global $ACCEPT_CHOSEN i32 (i32.const 0x1460))
  (data (i32.const 0x1460) ",\"chosen_versions\":{\00")
  (global $QUOTE i32 (i32.const 0x1480))
  (data (i32.const 0x1480) "\"\00")
  (global $CHOSEN_ONE i32 (i32.const 0x1488))
  (data (i32.const 0x1488) "\":1\00")
  (global $SELF_CHECK_HEAD i32 (i32.const 0x1520))
  (data (i32.const 0x1520) "{\"status\":\"success\",\"failures\":[],\"completed_at\":\00")
  (global $CLOSE_OBJECT i32 (i32.const 0x1560))
  (data (i32.const 0x1560) "}\00")
  (global $COMMA i32 (i32.const 0x1568))
  (data (i32.const 0x1568) ",\00")
  (global $RESPONSE_HEAD i32 (i32.const 0x1570))
  (data (i32.const 0x1570) "{\"_v\":1\00")

  ;; ---- input and output ----------------------------------------------------------------------

  ;; Grows memory so that every address below $end exists.
  (func $ensure (param $end i32)
    (local $have i32)
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 0xffff))
                  (i32.const 16)))
              (i32.const -1))
          (then unreachable)))))

  ;; Copies the call's input to $IN (8 bytes per kernel call while it can: each kernel call costs
  ;; fuel in the host) and empties the output buffer, which starts just past it.
  (func $read_input
    (local $len i32) (local $i i32)
    (local.set $len (i32.wrap_i64 (call $input_length)))
    (global.set $in_end (i32.add (global.get $IN) (local.get $len)))
    (call $ensure (i32.add (global.get $in_end) (i32.const 16)))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $len)))
        (i64.store (i32.add (global.get $IN) (local.get $i))
          (call $input_load_u64 (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (global.get $IN) (local.get $i))
          (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    ;; Two quotes past the end: a string scan always stops, at the latest on one of them, and a
    ;; closing quote found there means the string ran off the input (see $skip_string).
    (i32.store16 (global.get $in_end) (i32.const 0x2222))
    (global.set $out_base (i32.and (i32.add (global.get $in_end) (i32.const 15)) (i32.const -8)))
    (global.set $out_pos (global.get $out_base)))

  (func $out_reset
    (global.set $out_pos (global.get $out_base)))

  ;; Appends $len bytes at $src to the output buffer.
  (func $emit (param $src i32) (param $len i32)
    (call $ensure (i32.add (global.get $out_pos) (local.get $len)))
    (memory.copy (global.get $out_pos) (local.get $src) (local.get $len))
    (global.set $out_pos (i32.add (global.get $out_pos) (local.get $len))))

  (func $text_len (param $text i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $text))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $text)))

  (func $emit_text (param $text i32)
    (call $emit (local.get $text) (call $text_len (local.get $text))))

  ;; Appends the JSON value at $at exactly as it appears in the input.
  (func $emit_value (param $at i32)
    (call $emit (local.get $at) (i32.sub (call $skip_value (local.get $at)) (local.get $at))))

  ;; Appends the content of the JSON string at $at, still escaped, without its quotes.
  (func $emit_string_content (param $at i32)
    (call $emit (i32.add (local.get $at) (i32.const 1))
      (i32.sub (i32.sub (call $skip_string (local.get $at)) (local.get $at)) (i32.const 2))))

  ;; Copies $len bytes at $src into a new block of kernel memory and returns the block's offset.
  (func $to_kernel (param $src i32) (param $len i32) (result i64)
    (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $len)))
        (call $store_u64 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i64.load (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (local.get $block))

  ;; Ends the call successfully: the output buffer becomes the call's output.
  (func $succeed (result i32)
    (local $len i32)
    (local.set $len (i32.sub (global.get $out_pos) (global.get $out_base)))
    (call $output_set
      (call $to_kernel (global.get $out_base) (local.get $len))
      (i64.extend_i32_u (local.get $len)))
    (i32.const 0))

  ;; Ends the call with an error: the output buffer becomes the error text the host reports.
  (func $fail (result i32)
    (call $error_set
      (call $to_kernel (global.get $out_base) (i32.sub (global.get $out_pos) (global.get $out_base))))
    (i32.const 1))

  (func $fail_with (param $text i32) (result i32)
    (call $out_reset)
    (call $emit_text (local.get $text))
    (call $fail))

  ;; ---- JSON reading --------------------------------------------------------------------------
  ;; Positions are memory addresses inside the input; -1 means "absent" or "malformed".

  (func $skip_ws (param $p i32) (result i32)
    (local $c i32)
    (loop $next
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.or
            (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
            (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09))))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $next))))
    (local.get $p))

  ;; $p at a string's opening quote: the position after its closing quote.
  (func $skip_string (param $p i32) (result i32)
    (local $c i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    ;; The hottest loop of the plugin (a request body is one long string): kept to a few operators
    ;; per byte, since every operator costs the host's fuel.
    (block $closed
      (loop $next
        (br_if $closed (i32.eq (local.tee $c (i32.load8_u (local.get $p))) (i32.const 0x22)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $next (i32.ne (local.get $c) (i32.const 0x5c)))
        ;; a backslash escapes the next byte (enough to find the end: `\uXXXX` holds no quote)
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (if (result i32) (i32.ge_u (local.get $p) (global.get $in_end))
      (then (i32.const -1))
      (else (i32.add (local.get $p) (i32.const 1)))))

  (func $is_delimiter (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 0x2c)) (i32.eq (local.get $c) (i32.const 0x7d)))
      (i32.or (i32.eq (local.get $c) (i32.const 0x5d)) (i32.le_u (local.get $c) (i32.const 0x20)))))

  ;; $p at a value's first byte: the position just past the value.
  (func $skip_value (param $p i32) (result i32)
    (local $c i32) (local $depth i32) (local $start i32)
    (if (i32.ge_u (local.get $p) (global.get $in_end)) (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x22))
      (then (return (call $skip_string (local.get $p)))))
    (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
      (then
        ;; an object or array: to its matching close, stepping over strings whole
        (loop $next
          (if (i32.ge_u (local.get $p) (global.get $in_end)) (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.eq (local.get $c) (i32.const 0x22))
            (then
              (local.set $p (call $skip_string (local.get $p)))
              (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
              (br $next)))
          (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
            (then (local.set $depth (i32.add (local.get $depth) (i32.const 1)))))
          (if (i32.or (i32.eq (local.get $c) (i32.const 0x7d)) (i32.eq (local.get $c) (i32.const 0x5d)))
            (then
              (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
              (if (i32.eqz (local.get $depth)) (then (return (i32.add (local.get $p) (i32.const 1)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $next))))
    ;; a number, true, false or null: up to the next delimiter
    (local.set $start (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.ge_u (local.get $p) (global.get $in_end)))
        (br_if $end (call $is_delimiter (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (if (result i32) (i32.eq (local.get $p) (local.get $start))
      (then (i32.const -1))
      (else (local.get $p))))

  ;; 1 when the $len bytes at $at are the text $text.
  (func $text_equals (param $text i32) (param $at i32) (param $len i32) (result i32)
    (local $i i32)
    (block $differs
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $len))
          (then (return (i32.eqz (i32.load8_u (i32.add (local.get $text) (local.get $i)))))))
        (br_if $differs (i32.ne
          (i32.load8_u (i32.add (local.get $at) (local.get $i)))
          (i32.load8_u (i32.add (local.get $text) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; The index in the key list $keys of the key spelled by the $len bytes at $key, or -1.
  (func $key_index (param $keys i32) (param $key i32) (param $len i32) (result i32)
    (local $index i32)
    (loop $next
      (if (i32.eqz (i32.load8_u (local.get $keys))) (then (return (i32.const -1))))
      (if (call $text_equals (local.get $keys) (local.get $key) (local.get $len))
        (then (return (local.get $index))))
      (local.set $keys (i32.add (local.get $keys) (i32.add (call $text_len (local.get $keys)) (i32.const 1))))
      (local.set $index (i32.add (local.get $index) (i32.const 1)))
      (br $next))
    unreachable)

  ;; Walks the object at $obj, recording where the value of each key of the list $keys starts and
  ;; ends (read back with $found and $found_end; -1 when absent), and stops as soon as every key
  ;; was seen. One walk for all keys matters: skipping a value means scanning it, and a request
  ;; body can be most of the input. Returns 0, or -1 when $obj is not a well-formed object.
  (func $collect (param $obj i32) (param $keys i32) (result i32)
    (local $p i32) (local $key i32) (local $index i32) (local $missing i32) (local $slot i32)
    (local.set $p (local.get $keys))
    (block $cleared
      (loop $clear
        (br_if $cleared (i32.eqz (i32.load8_u (local.get $p))))
        (i64.store (i32.add (global.get $FOUND) (i32.shl (local.get $missing) (i32.const 3))) (i64.const -1))
        (local.set $p (i32.add (local.get $p) (i32.add (call $text_len (local.get $p)) (i32.const 1))))
        (local.set $missing (i32.add (local.get $missing) (i32.const 1)))
        (br $clear)))
    (if (i32.lt_s (local.get $obj) (i32.const 0)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u (local.get $obj)) (i32.const 0x7b)) (then (return (i32.const -1))))
    (local.set $p (call $skip_ws (i32.add (local.get $obj) (i32.const 1))))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x7d)) (then (return (i32.const 0))))
    (loop $member
      (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)) (then (return (i32.const -1))))
      (local.set $key (i32.add (local.get $p) (i32.const 1)))
      (local.set $p (call $skip_string (local.get $p)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      (local.set $index (call $key_index (local.get $keys) (local.get $key)
        (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $key))))
      (local.set $p (call $skip_ws (local.get $p)))
      (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a)) (then (return (i32.const -1))))
      (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
      (local.set $slot (i32.add (global.get $FOUND) (i32.shl (local.get $index) (i32.const 3))))
      (if (i32.ge_s (local.get $index) (i32.const 0))
        (then (i32.store (local.get $slot) (local.get $p))))
      (local.set $p (call $skip_value (local.get $p)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      (if (i32.ge_s (local.get $index) (i32.const 0))
        (then
          ;; a repeated key keeps its last value (as serde_json's map does) but is counted once
          (if (i32.lt_s (i32.load offset=4 (local.get $slot)) (i32.const 0))
            (then (local.set $missing (i32.sub (local.get $missing) (i32.const 1)))))
          (i32.store offset=4 (local.get $slot) (local.get $p))
          (if (i32.eqz (local.get $missing)) (then (return (i32.const 0))))))
      (local.set $p (call $skip_ws (local.get $p)))
      (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2c))
        (then
          (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
          (br $member))))
    (if (result i32) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x7d))
      (then (i32.const 0))
      (else (i32.const -1))))

  (func $found (param $index i32) (result i32)
    (i32.load (i32.add (global.get $FOUND) (i32.shl (local.get $index) (i32.const 3)))))

  (func $found_end (param $index i32) (result i32)
    (i32.load offset=4 (i32.add (global.get $FOUND) (i32.shl (local.get $index) (i32.const 3)))))

  ;; The value of one key of the object at $obj, or -1.
  (func $find (param $obj i32) (param $key i32) (result i32)
    (if (result i32) (i32.lt_s (call $collect (local.get $obj) (local.get $key)) (i32.const 0))
      (then (i32.const -1))
      (else (call $found (i32.const 0)))))

  (func $is_string (param $at i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $at) (i32.const 0))
      (then (i32.const 0))
      (else (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x22)))))

  (func $is_array (param $at i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $at) (i32.const 0))
      (then (i32.const 0))
      (else (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x5b)))))

  ;; The first element of the array at $arr, or -1 when it is empty.
  (func $first (param $arr i32) (result i32)
    (local $p i32)
    (local.set $p (call $skip_ws (i32.add (local.get $arr) (i32.const 1))))
    (if (result i32) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5d))
      (then (i32.const -1))
      (else (local.get $p))))

  ;; The element after the one at $item, or -1 after the last.
  (func $next (param $item i32) (result i32)
    (local $p i32)
    (local.set $p (call $skip_value (local.get $item)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $p (call $skip_ws (local.get $p)))
    (if (result i32) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2c))
      (then (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
      (else (i32.const -1))))

  ;; 1 when the value at $at is an integer a u64 holds (digits only: no sign, fraction or exponent).
  (func $is_u64 (param $at i32) (result i32)
    (local $len i32) (local $i i32) (local $c i32) (local $max i32)
    (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $len (i32.sub (call $skip_value (local.get $at)) (local.get $at)))
    (if (i32.or (i32.lt_s (local.get $len) (i32.const 1)) (i32.gt_s (local.get $len) (i32.const 20)))
      (then (return (i32.const 0))))
    (block $digits
      (loop $next
        (br_if $digits (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u (i32.add (local.get $at) (local.get $i))))
        (if (i32.or (i32.lt_u (local.get $c) (i32.const 0x30)) (i32.gt_u (local.get $c) (i32.const 0x39)))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (i32.lt_u (local.get $len) (i32.const 20)) (then (return (i32.const 1))))
    ;; twenty digits: no more than u64::MAX, compared digit by digit
    (local.set $i (i32.const 0))
    (loop $compare
      (local.set $c (i32.load8_u (i32.add (local.get $at) (local.get $i))))
      (local.set $max (i32.load8_u (i32.add (global.get $U64_MAX) (local.get $i))))
      (if (i32.lt_u (local.get $c) (local.get $max)) (then (return (i32.const 1))))
      (if (i32.gt_u (local.get $c) (local.get $max)) (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $compare (i32.lt_u (local.get $i) (i32.const 20))))
    (i32.const 1))

  ;; 1 when the array at $arr contains the number 1.
  (func $contains_one (param $arr i32) (result i32)
    (local $item i32)
    (if (i32.eqz (call $is_array (local.get $arr))) (then (return (i32.const 0))))
    (local.set $item (call $first (local.get $arr)))
    (block $none
      (loop $next
        (br_if $none (i32.lt_s (local.get $item) (i32.const 0)))
        (if (i32.and
              (i32.eq (i32.load8_u (local.get $item)) (i32.const 0x31))
              (i32.eq (call $skip_value (local.get $item)) (i32.add (local.get $item) (i32.const 1))))
          (then (return (i32.const 1))))
        (local.set $item (call $next (local.get $item)))
        (br $next)))
    (i32.const 0))

  ;; The request envelope check of a PDK handler (PROTOCOL.md §9.5): returns 0 when the request's
  ;; `_v` is 1, the only version this plugin speaks; otherwise sets the guest error and returns 1.
  (func $check_envelope (param $root i32) (result i32)
    (local $v i32)
    (local.set $v (call $find (local.get $root) (global.get $KEY_V)))
    (if (i32.eqz (call $is_u64 (local.get $v)))
      (then (return (call $fail_with (global.get $MSG_MISSING_V)))))
    (if (i32.eq (call $skip_value (local.get $v)) (i32.add (local.get $v) (i32.const 1)))
      (then (if (i32.eq (i32.load8_u (local.get $v)) (i32.const 0x31)) (then (return (i32.const 0))))))
    (call $out_reset)
    (call $emit_text (global.get $MSG_UNSUPPORTED_V))
    (call $emit_value (local.get $v))
    (call $fail))

  ;; ---- handshake and self-check ----------------------------------------------------------------

  ;; The handshake for the functions listed at $functions — names each ended by two NULs (so each
  ;; is also a one-key list for $find), the list ended by a third NUL. Each function is chosen at
  ;; version 1 when the offer lists version 1 for it (otherwise nothing is chosen for it, as a PDK
  ;; plugin does).
  ;; The schema and envelope numbers are echoed from the offer; $tail closes `chosen_versions` and
  ;; declares what the plugin supports and implements.
  (func $handshake (param $functions i32) (param $tail i32) (result i32)
    (local $schema i32) (local $envelope i32) (local $versions i32) (local $name i32) (local $chosen i32)
    (call $read_input)
    (if (i32.lt_s (call $collect (call $skip_ws (global.get $IN)) (global.get $OFFER_KEYS)) (i32.const 0))
      (then (return (call $fail_with (global.get $MSG_BAD_OFFER)))))
    (local.set $schema (call $found (i32.const 0)))
    (local.set $envelope (call $found (i32.const 1)))
    (local.set $versions (call $found (i32.const 2)))
    (if (i32.eqz (i32.and (call $is_u64 (local.get $schema)) (call $is_u64 (local.get $envelope))))
      (then (return (call $fail_with (global.get $MSG_BAD_OFFER)))))
    (call $out_reset)
    (call $emit_text (global.get $ACCEPT_HEAD))
    (call $emit_value (local.get $schema))
    (call $emit_text (global.get $ACCEPT_ENVELOPE))
    (call $emit_value (local.get $envelope))
    (call $emit_text (global.get $ACCEPT_CHOSEN))
    (local.set $name (local.get $functions))
    (block $listed
      (loop $each
        (br_if $listed (i32.eqz (i32.load8_u (local.get $name))))
        (if (call $contains_one (call $find (local.get $versions) (local.get $name)))
          (then
            (if (local.get $chosen) (then (call $emit_text (global.get $COMMA))))
            (call $emit_text (global.get $QUOTE))
            (call $emit_text (local.get $name))
            (call $emit_text (global.get $CHOSEN_ONE))
            (local.set $chosen (i32.add (local.get $chosen) (i32.const 1)))))
        (local.set $name (i32.add (local.get $name) (i32.add (call $text_len (local.get $name)) (i32.const 2))))
        (br $each)))
    (call $emit_text (local.get $tail))
    (call $succeed))

  ;; Nothing to round-trip by hand: success, completed "at" the request's own timestamp.
  (func (export "cc_lb_self_check") (result i32)
    (local $at i32)
    (call $read_input)
    (local.set $at (call $find (call $skip_ws (global.get $IN)) (global.get $KEY_INITIATED_AT)))
    (if (i32.lt_s (local.get $at) (i32.const 0))
      (then (return (call $fail_with (global.get $MSG_BAD_SELF_CHECK)))))
    ;; positive: digits only (no minus sign) and not 0
    (if (i32.or
          (i32.eqz (call $is_u64 (local.get $at)))
          (i32.and
            (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x30))
            (i32.eq (call $skip_value (local.get $at)) (i32.add (local.get $at) (i32.const 1)))))
      (then (return (call $fail_with (global.get $MSG_BAD_TIMESTAMP)))))
    (call $out_reset)
    (call $emit_text (global.get $SELF_CHECK_HEAD))
    (call $emit_value (local.get $at))
    (call $emit_text (global.get $CLOSE_OBJECT))
    (call $succeed))

  ;; Reads a wire-function request and checks its envelope: the request's root, or -1 after setting
  ;; the guest error (return 1 then).
  (func $open_request (result i32)
    (local $root i32)
    (call $read_input)
    (local.set $root (call $skip_ws (global.get $IN)))
    (if (result i32) (call $check_envelope (local.get $root))
      (then (i32.const -1))
      (else (local.get $root))))

  ;; Starts the response: `{"_v":1` (continue with `,"field":…` and end with `}`).
  (func $start_response
    (call $out_reset)
    (call $emit_text (global.get $RESPONSE_HEAD)))

  ;; ==== your plugin ===============================================================================
