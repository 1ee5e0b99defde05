/**
 * Bench support: a large plugin module built directly as bytes (compiling megabytes of text
 * through wabt would take longer than what it measures), deterministic for a given size and
 * nonce. Thousands of functions of loops, branches, memory accesses and calls, like compiled code;
 * only the handshake ever runs. The nonce lands in the identity section, so each nonce is a
 * distinct content (a cold build: no in-memory or disk cache entry can serve it).
 */
import { EMPTY_BLOCK_TYPE as EMPTY_BLOCK, FUNC_TYPE, OP } from '../src/engine/opcodes.js';
import { ByteWriter, SECTION, VALTYPE_BYTE } from '../src/engine/wasm-binary.js';
import { withIdentity } from '../src/wat/sections.js';

const I32 = VALTYPE_BYTE.i32;
const I64 = VALTYPE_BYTE.i64;

/** Kernel imports: function indices 0, 1, 2. */
const IMPORTS = [
  { name: 'alloc', type: 2 },
  { name: 'store_u8', type: 3 },
  { name: 'output_set', type: 4 },
] as const;
const ALLOC = 0;
const STORE_U8 = 1;
const OUTPUT_SET = 2;

/** One generated function `(param i32) (result i32)` with locals $i, $acc; about 240 bytes. */
function generatedBody(n: number, firstGenerated: number): Uint8Array {
  const w = new ByteWriter(320);
  w.u32(1).u32(2).u8(I32); // locals: $i (1), $acc (2)
  w.u8(OP.localGet).u32(0).u8(OP.localSet).u32(2);
  w.u8(OP.block).u8(EMPTY_BLOCK).u8(OP.loop).u8(EMPTY_BLOCK);
  w.u8(OP.localGet).u32(1).u8(OP.localGet).u32(0).u8(OP.i32GeU).u8(OP.brIf).u32(1);
  w.u8(OP.localGet)
    .u32(2)
    .u8(OP.localGet)
    .u32(1)
    .u8(OP.i32Const)
    .s64((n % 97) + 3);
  w.u8(OP.i32Mul).u8(OP.i32Add).u8(OP.localSet).u32(2);
  w.u8(OP.localGet).u32(1).u8(OP.i32Const).s64(1020).u8(OP.i32And).u8(OP.localGet).u32(2);
  w.u8(OP.i32Store).u32(2).u32(0);
  w.u8(OP.localGet).u32(2).u8(OP.i32Eqz).u8(OP.if).u8(EMPTY_BLOCK);
  w.u8(OP.localGet).u32(1).u8(OP.i32Load).u32(2).u32(0).u8(OP.localSet).u32(2);
  w.u8(OP.else);
  w.u8(OP.localGet)
    .u32(2)
    .u8(OP.i32Const)
    .s64(n & 31)
    .u8(OP.i32Rotl)
    .u8(OP.localSet)
    .u32(2);
  w.u8(OP.end);
  w.u8(OP.localGet).u32(1).u8(OP.i32Const).s64(1).u8(OP.i32Add).u8(OP.localSet).u32(1);
  w.u8(OP.br).u32(0).u8(OP.end).u8(OP.end);
  for (let k = 0; k < 12; k++) {
    const c = (n * 2654435761 + k * 40503) % 2 ** 31;
    w.u8(OP.localGet).u32(2).u8(OP.i32Const).s64(c).u8(OP.i32Xor);
    w.u8(OP.i32Const)
      .s64((n + k) % 31)
      .u8(OP.i32Rotl)
      .u8(OP.localSet)
      .u32(2);
  }
  if (n > 0) {
    w.u8(OP.localGet)
      .u32(2)
      .u8(OP.call)
      .u32(firstGenerated + n - 1)
      .u8(OP.localGet)
      .u32(2);
    w.u8(OP.i32Add).u8(OP.localSet).u32(2);
  }
  w.u8(OP.localGet).u32(2).u8(OP.end);
  return w.finish().slice();
}

/** `cc_lb_handshake`: copies `length` bytes at `offset` of memory to the output. */
function handshakeBody(offset: number, length: number): Uint8Array {
  const w = new ByteWriter(128);
  w.u32(2).u32(1).u8(I64).u32(1).u8(I32); // locals: $out i64 (0), $j i32 (1)
  w.u8(OP.i64Const).s64(length).u8(OP.call).u32(ALLOC).u8(OP.localSet).u32(0);
  w.u8(OP.block).u8(EMPTY_BLOCK).u8(OP.loop).u8(EMPTY_BLOCK);
  w.u8(OP.localGet).u32(1).u8(OP.i32Const).s64(length).u8(OP.i32GeU).u8(OP.brIf).u32(1);
  w.u8(OP.localGet).u32(0).u8(OP.localGet).u32(1).u8(OP.i64ExtendI32U).u8(OP.i64Add);
  w.u8(OP.localGet).u32(1).u8(OP.i32Load8U).u32(0).u32(offset);
  w.u8(OP.call).u32(STORE_U8);
  w.u8(OP.localGet).u32(1).u8(OP.i32Const).s64(1).u8(OP.i32Add).u8(OP.localSet).u32(1);
  w.u8(OP.br).u32(0).u8(OP.end).u8(OP.end);
  w.u8(OP.localGet).u32(0).u8(OP.i64Const).s64(length).u8(OP.call).u32(OUTPUT_SET);
  w.u8(OP.i32Const).s64(0).u8(OP.end);
  return w.finish().slice();
}

/**
 * A plugin of about `mebibytes` MiB of code whose handshake answers `accept` (a JSON text); the
 * identity section carries `nonce`.
 */
export function largeModule(mebibytes: number, accept: string, nonce: number): Uint8Array {
  const generated = Math.ceil((mebibytes * 1024 * 1024) / 240);
  const firstGenerated = IMPORTS.length;
  const handshake = firstGenerated + generated;
  const acceptBytes = new TextEncoder().encode(accept);
  const out = new ByteWriter(mebibytes * 1024 * 1024 + 65536);
  out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  const section = (id: number, fill: (w: ByteWriter) => void) => {
    const w = new ByteWriter();
    fill(w);
    out.u8(id).sized(w);
  };
  section(SECTION.type, (w) => {
    w.u32(5);
    w.u8(FUNC_TYPE).u32(1).u8(I32).u32(1).u8(I32); // 0: (i32) -> i32
    w.u8(FUNC_TYPE).u32(0).u32(1).u8(I32); // 1: () -> i32
    w.u8(FUNC_TYPE).u32(1).u8(I64).u32(1).u8(I64); // 2: alloc
    w.u8(FUNC_TYPE).u32(2).u8(I64).u8(I32).u32(0); // 3: store_u8
    w.u8(FUNC_TYPE).u32(2).u8(I64).u8(I64).u32(0); // 4: output_set
  });
  section(SECTION.import, (w) => {
    w.u32(IMPORTS.length);
    for (const i of IMPORTS) w.name('extism:host/env').name(i.name).u8(0).u32(i.type);
  });
  section(SECTION.function, (w) => {
    w.u32(generated + 1);
    for (let n = 0; n < generated; n++) w.u32(0);
    w.u32(1);
  });
  section(SECTION.memory, (w) => w.u32(1).u8(0).u32(1));
  // `sign` only has to exist: the handshake the bench's ACCEPT declares implements it
  section(SECTION.export, (w) =>
    w.u32(2).name('cc_lb_handshake').u8(0).u32(handshake).name('sign').u8(0).u32(handshake),
  );
  section(SECTION.code, (w) => {
    w.u32(generated + 1);
    for (let n = 0; n < generated; n++) w.sized(generatedBody(n, firstGenerated));
    w.sized(handshakeBody(2048, acceptBytes.length));
  });
  section(SECTION.data, (w) => {
    w.u32(1).u32(0).u8(OP.i32Const).s64(2048).u8(OP.end).u32(acceptBytes.length).bytes(acceptBytes);
  });
  return withIdentity(out.finish().slice(), { plugin_name: `bench-large-${nonce}` });
}
