/** Strict UTF-8 decoding with the Display text of Rust's std::str::Utf8Error. */
import { describe, expect, it } from 'vitest';
import { PluginCallError } from '../../src/engine/errors.js';
import { decodeUtf8Strict, rustUtf8ErrorText } from '../../src/engine/utf8.js';

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8, including 4-byte sequences', () => {
    expect(decodeUtf8Strict(new TextEncoder().encode('héllo 😀'))).toBe('héllo 😀');
    expect(decodeUtf8Strict(new Uint8Array(0))).toBe('');
  });

  it('throws PluginCallError InvalidUtf8Output with Rust’s text', () => {
    try {
      decodeUtf8Strict(new Uint8Array([0xff]));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PluginCallError);
      expect(error).toMatchObject({
        kind: 'InvalidUtf8Output',
        message: 'invalid utf-8 sequence of 1 bytes from index 0',
        reason: 'invalid utf-8 sequence of 1 bytes from index 0',
      });
    }
  });
});

describe('rustUtf8ErrorText follows core::str::from_utf8', () => {
  it.each([
    [[0xff], 'invalid utf-8 sequence of 1 bytes from index 0'],
    [[0x61, 0x80], 'invalid utf-8 sequence of 1 bytes from index 1'], // lone continuation byte
    [[0xc0, 0x80], 'invalid utf-8 sequence of 1 bytes from index 0'], // overlong lead byte
    [[0xe0, 0x80, 0x80], 'invalid utf-8 sequence of 1 bytes from index 0'], // overlong 3-byte form
    [[0xed, 0xa0, 0x80], 'invalid utf-8 sequence of 1 bytes from index 0'], // surrogate
    [[0xe2, 0x82, 0x41], 'invalid utf-8 sequence of 2 bytes from index 0'],
    [[0xf0, 0x9f, 0x98, 0x41], 'invalid utf-8 sequence of 3 bytes from index 0'],
    [[0xf4, 0x90, 0x80, 0x80], 'invalid utf-8 sequence of 1 bytes from index 0'], // above U+10FFFF
    [[0x61, 0x62, 0xe2, 0x82], 'incomplete utf-8 byte sequence from index 2'],
    [[0xf0, 0x9f, 0x98], 'incomplete utf-8 byte sequence from index 0'],
    [[0xc3], 'incomplete utf-8 byte sequence from index 0'],
    [[0xe0, 0x80], 'invalid utf-8 sequence of 1 bytes from index 0'], // bad second byte beats truncation
  ])('%j', (bytes, text) => {
    expect(rustUtf8ErrorText(new Uint8Array(bytes))).toBe(text);
  });
});
