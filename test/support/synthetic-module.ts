/**
 * Test support: the conformance synthetic module of REFERENCE-CASES.md §0.3, assembled byte by
 * byte — header, an optional identity custom section, one `() -> ()` type, two functions,
 * exports `cc_lb_handshake` and `cc_lb_self_check`, and two empty bodies. It validates and
 * instantiates with no imports; its functions are never called.
 */

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const SECTION_NAME = 'cc_lb.plugin.v1';

/** Unsigned LEB128: 7 bits at a time, least significant first, high bit set on all but the last. */
export function leb128(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...leb128(bytes.length), ...bytes];
}

function section(id: number, contents: number[]): number[] {
  return [id, ...leb128(contents.length), ...contents];
}

/** The identity section (id 0, size, name length 0x0F, name, data) for the given payload. */
export function identitySectionBytes(payload: string | Uint8Array): number[] {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return section(0, [...name(SECTION_NAME), ...data]);
}

/** §0.3: the synthetic module, with the identity section right after the header when given. */
export function syntheticModule(identityPayload?: string | Uint8Array): Uint8Array {
  const typeSection = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
  const functionSection = [0x03, 0x03, 0x02, 0x00, 0x00];
  const exports = [0x02, ...name('cc_lb_handshake'), 0x00, 0x00, ...name('cc_lb_self_check'), 0x00, 0x01];
  const exportSection = section(0x07, exports);
  const codeSection = [0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b];
  return Uint8Array.from([
    ...HEADER,
    ...(identityPayload === undefined ? [] : identitySectionBytes(identityPayload)),
    ...typeSection,
    ...functionSection,
    ...exportSection,
    ...codeSection,
  ]);
}

/** The standard valid identity payload of the conformance tests, with a chosen name. */
export function validIdentityPayload(pluginName: string): string {
  return `{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"${pluginName}","plugin_version":"1.0.0"}`;
}
