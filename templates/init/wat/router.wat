  ;; A router (`filter`): before routing a request the host asks about every upstream candidate;
  ;; the answer holds one result per candidate, in the candidates' order, echoing its
  ;; `upstream_id`. This plugin accepts every candidate — put your rule where `$RESULT_ACCEPT` is
  ;; written. A candidate with an empty `upstream_id` is refused (the host never sends one): the
  ;; call fails and the host falls back to its default routing (policy UseDefault).

  (global $FUNCTIONS i32 (i32.const 0x2000))
  (data (i32.const 0x2000) "filter\00\00\00")
  (global $HANDSHAKE_TAIL i32 (i32.const 0x2010))
  (data (i32.const 0x2010)
    "},\"plugin_supported\":{\"filter\":[1]},\"implemented_functions\":[\"filter\"],\"required_capabilities\":[]}\00")
  (global $KEY_CANDIDATES i32 (i32.const 0x2080))
  (data (i32.const 0x2080) "candidates\00\00")
  (global $KEY_UPSTREAM_ID i32 (i32.const 0x2090))
  (data (i32.const 0x2090) "upstream_id\00\00")
  (global $MSG_BAD_REQUEST i32 (i32.const 0x20a0))
  (data (i32.const 0x20a0) "filter request without a candidates array\00")
  (global $MSG_BAD_CANDIDATE i32 (i32.const 0x20e0))
  (data (i32.const 0x20e0) "candidate without a non-empty string upstream_id\00")
  (global $RESULTS_HEAD i32 (i32.const 0x2120))
  (data (i32.const 0x2120) ",\"results\":[\00")
  (global $RESULTS_TAIL i32 (i32.const 0x2130))
  (data (i32.const 0x2130) "]}\00")
  (global $RESULT_ID i32 (i32.const 0x2140))
  (data (i32.const 0x2140) "{\"upstream_id\":\00")
  (global $RESULT_ACCEPT i32 (i32.const 0x2150))
  (data (i32.const 0x2150) ",\"decision\":\"accept\",\"reason\":\"eligible\"}\00")

  (func (export "cc_lb_handshake") (result i32)
    (call $handshake (global.get $FUNCTIONS) (global.get $HANDSHAKE_TAIL)))

  (func (export "filter") (result i32)
    (local $root i32) (local $candidate i32) (local $id i32) (local $answered i32)
    (local.set $root (call $open_request))
    (if (i32.lt_s (local.get $root) (i32.const 0)) (then (return (i32.const 1))))
    (local.set $candidate (call $find (local.get $root) (global.get $KEY_CANDIDATES)))
    (if (i32.eqz (call $is_array (local.get $candidate)))
      (then (return (call $fail_with (global.get $MSG_BAD_REQUEST)))))
    (call $start_response)
    (call $emit_text (global.get $RESULTS_HEAD))
    (local.set $candidate (call $first (local.get $candidate)))
    (block $done
      (loop $each
        (br_if $done (i32.lt_s (local.get $candidate) (i32.const 0)))
        (local.set $id (call $find (local.get $candidate) (global.get $KEY_UPSTREAM_ID)))
        ;; a string, and not `""` (an empty string ends two bytes after its opening quote)
        (if (i32.or
              (i32.eqz (call $is_string (local.get $id)))
              (i32.eq (call $skip_string (local.get $id)) (i32.add (local.get $id) (i32.const 2))))
          (then (return (call $fail_with (global.get $MSG_BAD_CANDIDATE)))))
        (if (local.get $answered) (then (call $emit_text (global.get $COMMA))))
        (call $emit_text (global.get $RESULT_ID))
        (call $emit_value (local.get $id))
        (call $emit_text (global.get $RESULT_ACCEPT))
        (local.set $answered (i32.add (local.get $answered) (i32.const 1)))
        (local.set $candidate (call $next (local.get $candidate)))
        (br $each)))
    (call $emit_text (global.get $RESULTS_TAIL))
    (call $succeed))
