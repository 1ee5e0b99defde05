/**
 * Engine layer: what a guest wrote, told in a failure. When output cannot be read (not UTF-8) or
 * does not decode (not the JSON the host expects), the Rust texts name only a position; an author
 * needs to see the bytes themselves. `rawOutputOf` keeps the total length and the first bytes,
 * escaped so that any byte — control, invalid UTF-8, quote — prints on one readable line.
 */

/** How many leading bytes of the output a failure shows. */
export const RAW_OUTPUT_HEAD_BYTES = 120;

export interface RawOutput {
  /** the output's total length in bytes */
  readonly length: number;
  /** its first bytes, escaped: valid UTF-8 as text, `\"`, `\\`, `\n`, `\r`, `\t`, anything else `\xNN` */
  readonly head: string;
  /** whether `head` stops before the end of the output */
  readonly truncated: boolean;
}

const STRICT = new TextDecoder('utf-8', { fatal: true });

export function rawOutputOf(bytes: Uint8Array): RawOutput {
  const truncated = bytes.length > RAW_OUTPUT_HEAD_BYTES;
  return {
    length: bytes.length,
    head: escapeBytes(truncated ? bytes.subarray(0, RAW_OUTPUT_HEAD_BYTES) : bytes),
    truncated,
  };
}

/** `the guest wrote 12 bytes: "{\"_v\":1,\xff}"` — one line for a failure message. */
export function describeRawOutput(output: RawOutput): string {
  const bytes = output.length === 1 ? 'byte' : 'bytes';
  if (output.length === 0) return 'the guest wrote 0 bytes';
  return `the guest wrote ${output.length} ${bytes}: "${output.head}"${output.truncated ? '…' : ''}`;
}

function escapeBytes(bytes: Uint8Array): string {
  let text = '';
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index] as number;
    if (byte < 0x80) {
      text += escapeAscii(byte);
      index++;
      continue;
    }
    const width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    const char =
      width > 1 && index + width <= bytes.length ? decodeOne(bytes.subarray(index, index + width)) : '';
    if (char !== '') {
      text += char;
      index += width;
    } else {
      text += hexEscape(byte);
      index++;
    }
  }
  return text;
}

/** One UTF-8 sequence as text, or '' when it is not a valid one (overlong, surrogate, bad tail). */
function decodeOne(sequence: Uint8Array): string {
  try {
    return STRICT.decode(sequence);
  } catch (error) {
    // the decoder's TypeError for invalid data is the answer "not a character"; nothing else is expected
    if (error instanceof TypeError) return '';
    throw error;
  }
}

function escapeAscii(byte: number): string {
  switch (byte) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
  }
  return byte < 0x20 || byte === 0x7f ? hexEscape(byte) : String.fromCharCode(byte);
}

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}
