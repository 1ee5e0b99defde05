/**
 * Conformance layer: `verifyShapePlugin` — the common flow for `shape`, then six dispatches of
 * the v2 shape dry-run request with only `request.body_base64` changed. Each needs only a
 * decodable answer; its contents are the plugin's business.
 */
import { Buffer } from 'node:buffer';
import { ShapeFn } from '../../wire/index.js';
import { shapeRequestBuilder } from '../fixtures.js';
import type { PluginSource } from '../plugin-under-test.js';
import type { VerifyReport } from '../reports.js';
import { dispatchCase, type KindFlow, type VerifyOptions, verifyKind } from './common.js';

const DETAIL = 'shape dispatch returned a decodable response';

/** Layer name → request body, in the reference's order. */
const SHAPE_CASES: readonly (readonly [layer: string, bodyBase64: string])[] = [
  ['dispatch:shape:basic', 'e30='],
  ['dispatch:robustness:empty_body', ''],
  ['dispatch:robustness:malformed_json', base64('{')],
  ['dispatch:robustness:invalid_utf8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')],
  ['dispatch:robustness:large_body', base64('x'.repeat(64 * 1024))],
  ['dispatch:robustness:unicode_preservation', base64('한글🙂')],
];

export const shapeFlow: KindFlow = {
  kind: 'shape',
  required: [ShapeFn],
  async *cases(cx) {
    for (const [layer, bodyBase64] of SHAPE_CASES) {
      const request = shapeRequestBuilder().bodyBase64(bodyBase64).build();
      yield await dispatchCase(cx, layer, ShapeFn, request, DETAIL);
    }
  },
};

export function verifyShapePlugin(source: PluginSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyKind(source, options, shapeFlow);
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
