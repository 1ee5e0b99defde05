/**
 * Wire layer: the one error every JSON decode in this package throws. It carries serde_json's own
 * Display text (`serdeText`, position suffix included exactly as serde_json prints it) so that
 * callers which embed the reason in a host message stay byte-identical to the Rust host, plus the
 * JSON pointer of the offending value, which serde_json itself does not report.
 */

/** serde_json's `Category`, minus `Io`, which an in-memory decode cannot produce. */
export type SerdeCategory = 'Syntax' | 'Data' | 'Eof';

export class WireDecodeError extends Error {
  readonly kind = 'WireDecodeError' as const;
  readonly category: SerdeCategory;
  /** serde_json's Display text: `<code>` or `<code> at line L column C` */
  readonly serdeText: string;
  /** JSON pointer of the offending value; "" is the root */
  readonly path: string;
  /** serde_json's 1-based line; 0 when the error has no position (from_value errors) */
  readonly line: number;
  /** serde_json's column: bytes since the start of the line; 0 when unknown */
  readonly column: number;

  constructor(category: SerdeCategory, serdeText: string, path: string, line: number, column: number) {
    super(`${serdeText} (at ${path || '/'})`);
    this.name = 'WireDecodeError';
    this.category = category;
    this.serdeText = serdeText;
    this.path = path;
    this.line = line;
    this.column = column;
  }
}
