  ;; An observability hook (`observe`): the host sends batches of request lifecycle events and
  ;; expects an empty answer; what the plugin does with them is its own business. This one only
  ;; checks that `events` is an array. A failure is skipped silently by the host (policy
  ;; SilentSkip): observing can never break a request.

  (global $FUNCTIONS i32 (i32.const 0x2000))
  (data (i32.const 0x2000) "observe\00\00\00")
  (global $HANDSHAKE_TAIL i32 (i32.const 0x2010))
  (data (i32.const 0x2010)
    "},\"plugin_supported\":{\"observe\":[1]},\"implemented_functions\":[\"observe\"],\"required_capabilities\":[]}\00")
  (global $KEY_EVENTS i32 (i32.const 0x2080))
  (data (i32.const 0x2080) "events\00\00")
  (global $MSG_BAD_REQUEST i32 (i32.const 0x2090))
  (data (i32.const 0x2090) "observe request without an events array\00")

  (func (export "cc_lb_handshake") (result i32)
    (call $handshake (global.get $FUNCTIONS) (global.get $HANDSHAKE_TAIL)))

  (func (export "observe") (result i32)
    (local $root i32)
    (local.set $root (call $open_request))
    (if (i32.lt_s (local.get $root) (i32.const 0)) (then (return (i32.const 1))))
    (if (i32.eqz (call $is_array (call $find (local.get $root) (global.get $KEY_EVENTS))))
      (then (return (call $fail_with (global.get $MSG_BAD_REQUEST)))))
    (call $start_response)
    (call $emit_text (global.get $CLOSE_OBJECT))
    (call $succeed))
