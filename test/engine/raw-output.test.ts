/** What a failure shows of the guest's output: its length and first bytes, escaped on one line. */
import { describe, expect, it } from 'vitest';
import { describeRawOutput, RAW_OUTPUT_HEAD_BYTES, rawOutputOf } from '../../src/engine/raw-output.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('rawOutputOf', () => {
  it('keeps valid UTF-8 as text and escapes quotes, backslashes and whitespace', () => {
    expect(rawOutputOf(utf8('{"a":"é\\x"}\n\r\t'))).toEqual({
      length: 15,
      head: '{\\"a\\":\\"é\\\\x\\"}\\n\\r\\t',
      truncated: false,
    });
    expect(rawOutputOf(utf8('𝄞 ok')).head).toBe('𝄞 ok');
  });

  it('shows control bytes, DEL and every byte that is not part of a valid sequence as \\xNN', () => {
    expect(rawOutputOf(bytes(0x00, 0x1f, 0x7f, 0x41)).head).toBe('\\x00\\x1f\\x7fA');
    // a lone continuation byte, an overlong encoding, a surrogate, a truncated sequence at the end
    expect(rawOutputOf(bytes(0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x41, 0xe2, 0x82)).head).toBe(
      '\\x80\\xc0\\xaf\\xed\\xa0\\x80A\\xe2\\x82',
    );
  });

  it(`keeps the first ${RAW_OUTPUT_HEAD_BYTES} bytes and the total length`, () => {
    const long = utf8('x'.repeat(RAW_OUTPUT_HEAD_BYTES + 50));
    expect(rawOutputOf(long)).toEqual({
      length: RAW_OUTPUT_HEAD_BYTES + 50,
      head: 'x'.repeat(RAW_OUTPUT_HEAD_BYTES),
      truncated: true,
    });
  });
});

describe('describeRawOutput', () => {
  it('says how many bytes the guest wrote and shows them quoted, with … when cut', () => {
    expect(describeRawOutput(rawOutputOf(utf8('{"_v":1')))).toBe('the guest wrote 7 bytes: "{\\"_v\\":1"');
    expect(describeRawOutput(rawOutputOf(bytes(0xff)))).toBe('the guest wrote 1 byte: "\\xff"');
    expect(describeRawOutput(rawOutputOf(bytes()))).toBe('the guest wrote 0 bytes');
    expect(describeRawOutput(rawOutputOf(utf8('y'.repeat(200))))).toBe(
      `the guest wrote 200 bytes: "${'y'.repeat(RAW_OUTPUT_HEAD_BYTES)}"…`,
    );
  });
});
