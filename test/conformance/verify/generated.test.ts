import { describe, expect, it } from 'vitest';
import { verifyShapePlugin } from '../../../src/conformance/verify/index.js';
import { emptyHeaderTrapPlugin } from '../../support/fuzz-guests.js';
import { shapePlugin } from '../../support/vitest-plugins.js';

describe('verify { fuzzRuns }', { timeout: 60_000 }, () => {
  it('is off by default: the reference layers alone pass a plugin with a planted bug', async () => {
    const report = await verifyShapePlugin(emptyHeaderTrapPlugin());
    expect(report.dispatch.map((layer) => layer.layer)).not.toContain('generated:shape');
    expect(report.dispatch.every((layer) => layer.passed)).toBe(true);
  });

  it('adds a generated layer per required function, failed with the shrunk request', async () => {
    const report = await verifyShapePlugin(emptyHeaderTrapPlugin(), { fuzzRuns: 200 });
    const generated = report.dispatch.at(-1);
    expect(generated).toMatchObject({ layer: 'generated:shape', passed: false });
    expect(generated?.detail).toMatch(
      /^the plugin trapped on \{"request":\{"request_id":"","headers":\[\{"name":"","value_base64":""\}\],"method":"","path":"","query":null,"body_base64":""\},"upstream":\{"kind":"anthropic_direct"\},"principal":\{"id":"","kind":"","claims":\{\}\}\} \(replay: \{ seed: -?\d+, path: '[\d:]+' \}\)$/,
    );
  });

  it('passes the layer of a plugin that handles every generated request', async () => {
    const report = await verifyShapePlugin(shapePlugin(), { fuzzRuns: 20 });
    expect(report.dispatch.at(-1)).toMatchObject({
      layer: 'generated:shape',
      passed: true,
      detail: expect.stringMatching(/^20 generated request\(s\) handled \(seed -?\d+\)$/),
    });
  });
});
