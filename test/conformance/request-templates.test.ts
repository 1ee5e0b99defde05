/**
 * The realistic request templates (`requestTemplate(fn)`, printed by `dispatch --template`):
 * each decodes with its function's request schema, and none is the empty dry-run request — every
 * list has entries and every nullable field of the v1 request is set.
 */
import { describe, expect, it } from 'vitest';
import { requestTemplate } from '../../src/conformance/request-templates.js';
import { allWireFunctions, decodeWire, FilterFn, ObserveFn, ShapeFn } from '../../src/wire/index.js';

/** Paths of empty arrays, empty strings and nulls anywhere in the value. */
function emptySpots(value: unknown, path = ''): string[] {
  if (value === null) return [path];
  if (value === '') return [path];
  if (Array.isArray(value)) {
    return value.length === 0 ? [path] : value.flatMap((v, i) => emptySpots(v, `${path}/${i}`));
  }
  if (typeof value === 'object') {
    return Object.entries(value as object).flatMap(([k, v]) => emptySpots(v, `${path}/${k}`));
  }
  return [];
}

describe('requestTemplate', () => {
  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))(
    '%s: decodes with the request schema and differs from the dry-run request',
    (_name, fn) => {
      const template = requestTemplate(fn);
      expect(decodeWire(fn.request, JSON.stringify(template))).toEqual(template);
      expect(template).not.toEqual(fn.dryRunRequest());
      expect(requestTemplate(fn)).not.toBe(template);
    },
  );

  it('leaves nothing empty but what the wire says is absent in a realistic call', () => {
    const allowed = new Set([
      // a subscription upstream has no per-key rate limits, an API key no subscription quota
      'filter:/candidates/0/subscription_quotas',
      'filter:/candidates/1/observed_rate_limits',
      'filter:/candidates/2/subscription_quotas',
      'filter:/candidates/0/observed_rate_limits/1/reset',
      'filter:/candidates/1/subscription_quotas/0/disabled_reason',
    ]);
    const spots = allWireFunctions.flatMap((fn) =>
      emptySpots(requestTemplate(fn)).map((p) => `${fn.name}:${p}`),
    );
    expect(spots.filter((s) => !allowed.has(s))).toEqual([]);
  });

  it('filter has several candidates, one with a cache score; observe covers the lifecycle', () => {
    const filter = requestTemplate(FilterFn);
    expect(filter.candidates.length).toBeGreaterThanOrEqual(3);
    expect(filter.candidates.some((c) => c.cache_score !== undefined)).toBe(true);
    expect(requestTemplate(ObserveFn).events.map((e) => e.kind)).toEqual([
      'request_started',
      'authn_complete',
      'upstream_chosen',
      'chunk',
      'chunk',
      'request_finished',
    ]);
    const body = Buffer.from(requestTemplate(ShapeFn).request.body_base64, 'base64').toString('utf8');
    expect(JSON.parse(body)).toMatchObject({ model: expect.any(String), messages: [{ role: 'user' }] });
  });

  it('an unknown function has no template and says so', () => {
    expect(() => requestTemplate({ ...ShapeFn, name: 'route' })).toThrow(
      "no request template for wire function 'route'",
    );
  });
});
