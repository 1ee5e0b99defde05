  ;; A signer: adds credentials to a request a shape plugin already built. The host calls
  ;; `build_signer` once per upstream and keeps the `signer_state` it returns (opaque to the host,
  ;; which may persist and log it: keep secrets out), `sign` for every request with that state, and
  ;; `on_unauthorized` after an upstream 401. This one's state is `{"key_id":"example-key"}`; `sign`
  ;; keeps the shaped request and adds `authorization: Bearer example-key` to its headers (a real
  ;; signer derives its key from `factory_state`). `sign` without a state is refused, so the host
  ;; fails the request rather than send it unsigned (policy FailRequest); `on_unauthorized` answers
  ;; `fail` and hands the state back.

  (global $FUNCTIONS i32 (i32.const 0x2000))
  (data (i32.const 0x2000) "build_signer\00\00on_unauthorized\00\00sign\00\00\00")
  (global $HANDSHAKE_TAIL i32 (i32.const 0x2040))
  (data (i32.const 0x2040)
    "},\"plugin_supported\":{\"build_signer\":[1],\"on_unauthorized\":[1],\"sign\":[1]},\"implemented_functions\":[\"build_signer\",\"on_unauthorized\",\"sign\"],\"required_capabilities\":[]}\00")
  (global $KEY_SIGNER_STATE i32 (i32.const 0x2100))
  (data (i32.const 0x2100) "signer_state\00\00")
  (global $KEY_SHAPED i32 (i32.const 0x2110))
  (data (i32.const 0x2110) "shaped\00\00")
  (global $KEY_HEADERS i32 (i32.const 0x2120))
  (data (i32.const 0x2120) "headers\00\00")
  (global $MSG_NO_STATE i32 (i32.const 0x2130))
  (data (i32.const 0x2130) "sign called without signer_state\00")
  (global $MSG_BAD_SHAPED i32 (i32.const 0x2160))
  (data (i32.const 0x2160) "sign request without shaped headers\00")
  (global $BUILT i32 (i32.const 0x2190))
  (data (i32.const 0x2190) ",\"signer_state\":{\"key_id\":\"example-key\"}}\00")
  (global $SIGNED_HEAD i32 (i32.const 0x21d0))
  (data (i32.const 0x21d0) ",\"url\":null,\"method\":null,\"headers\":[\00")
  (global $SIGNED_TAIL i32 (i32.const 0x2200))
  (data (i32.const 0x2200)
    "{\"name\":\"authorization\",\"value_base64\":\"QmVhcmVyIGV4YW1wbGUta2V5\"}],\"body_base64\":null}\00")
  (global $DECISION i32 (i32.const 0x2260))
  (data (i32.const 0x2260) ",\"decision\":\"fail\",\"signer_state\":\00")

  (func (export "cc_lb_handshake") (result i32)
    (call $handshake (global.get $FUNCTIONS) (global.get $HANDSHAKE_TAIL)))

  (func (export "build_signer") (result i32)
    (if (i32.lt_s (call $open_request) (i32.const 0)) (then (return (i32.const 1))))
    (call $start_response)
    (call $emit_text (global.get $BUILT))
    (call $succeed))

  (func (export "sign") (result i32)
    (local $root i32) (local $state i32) (local $header i32)
    (local.set $root (call $open_request))
    (if (i32.lt_s (local.get $root) (i32.const 0)) (then (return (i32.const 1))))
    (local.set $state (call $find (local.get $root) (global.get $KEY_SIGNER_STATE)))
    ;; absent, or `null` (the only JSON value starting with `n`)
    (if (i32.or (i32.lt_s (local.get $state) (i32.const 0))
          (i32.eq (i32.load8_u (local.get $state)) (i32.const 0x6e)))
      (then (return (call $fail_with (global.get $MSG_NO_STATE)))))
    (local.set $header
      (call $find (call $find (local.get $root) (global.get $KEY_SHAPED)) (global.get $KEY_HEADERS)))
    (if (i32.eqz (call $is_array (local.get $header)))
      (then (return (call $fail_with (global.get $MSG_BAD_SHAPED)))))
    (call $start_response)
    (call $emit_text (global.get $SIGNED_HEAD))
    ;; the shaped headers, each followed by a comma, then ours
    (local.set $header (call $first (local.get $header)))
    (block $done
      (loop $each
        (br_if $done (i32.lt_s (local.get $header) (i32.const 0)))
        (call $emit_value (local.get $header))
        (call $emit_text (global.get $COMMA))
        (local.set $header (call $next (local.get $header)))
        (br $each)))
    (call $emit_text (global.get $SIGNED_TAIL))
    (call $succeed))

  (func (export "on_unauthorized") (result i32)
    (local $root i32) (local $state i32)
    (local.set $root (call $open_request))
    (if (i32.lt_s (local.get $root) (i32.const 0)) (then (return (i32.const 1))))
    (local.set $state (call $find (local.get $root) (global.get $KEY_SIGNER_STATE)))
    (if (i32.lt_s (local.get $state) (i32.const 0))
      (then (return (call $fail_with (global.get $MSG_NO_STATE)))))
    (call $start_response)
    (call $emit_text (global.get $DECISION))
    (call $emit_value (local.get $state))
    (call $emit_text (global.get $CLOSE_OBJECT))
    (call $succeed))
