import { describe, expect, it } from 'vitest';
import { acceptJson, selfCheckJson } from '../../src/wat/json-builders.js';

describe('acceptJson (REFERENCE-CASES §0.5)', () => {
  it('the empty accept has every collection empty, in the template order', () => {
    expect(acceptJson()).toBe(
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{},"plugin_supported":{},"implemented_functions":[],"required_capabilities":[]}',
    );
    expect(acceptJson({})).toBe(acceptJson());
  });

  it('H-11: fills the collections and keeps the template order whatever order the parts come in', () => {
    expect(
      acceptJson({
        required_capabilities: ['streaming'],
        implemented_functions: ['shape'],
        plugin_supported: { shape: [1] },
        chosen_versions: { shape: 1 },
      }),
    ).toBe(
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"shape":1},"plugin_supported":{"shape":[1]},"implemented_functions":["shape"],"required_capabilities":["streaming"]}',
    );
  });

  it('H-12: a downgrade accept', () => {
    expect(
      acceptJson({
        chosen_versions: { shape: 1 },
        plugin_supported: { shape: [1, 2, 3] },
        implemented_functions: ['shape'],
      }),
    ).toBe(
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"shape":1},"plugin_supported":{"shape":[1,2,3]},"implemented_functions":["shape"],"required_capabilities":[]}',
    );
  });

  it('overrides scalars, drops a key set to undefined, appends unknown keys last', () => {
    expect(acceptJson({ envelope_version: 2, handshake_schema_version: undefined, extra: true })).toBe(
      '{"envelope_version":2,"chosen_versions":{},"plugin_supported":{},"implemented_functions":[],"required_capabilities":[],"extra":true}',
    );
  });

  it('writes bigints exactly and an ill-typed part as given', () => {
    expect(acceptJson({ chosen_versions: { shape: 18_446_744_073_709_551_616n } })).toContain(
      '"chosen_versions":{"shape":18446744073709551616}',
    );
    expect(acceptJson({ implemented_functions: 'shape' as never })).toContain(
      '"implemented_functions":"shape"',
    );
  });

  it('keeps a __proto__ part as an ordinary unknown key', () => {
    const parts = JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(acceptJson(parts)).toBe(
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{},"plugin_supported":{},"implemented_functions":[],"required_capabilities":[],"__proto__":{"x":1}}',
    );
  });
});

describe('selfCheckJson', () => {
  it('S-01: the default is a success with no failures, completed at 1', () => {
    expect(selfCheckJson()).toBe('{"status":"success","failures":[],"completed_at":1}');
  });

  it('S-02, S-06, S-07, S-08: the texts of the reference self-check cases', () => {
    const failure = { stage: 'wire_function_test', message: 'bad wire shape' };
    expect(selfCheckJson({ status: 'failure', failures: [failure] })).toBe(
      '{"status":"failure","failures":[{"stage":"wire_function_test","message":"bad wire shape"}],"completed_at":1}',
    );
    expect(selfCheckJson({ failures: [{ stage: 'wire_function_test', message: 'bad' }] })).toBe(
      '{"status":"success","failures":[{"stage":"wire_function_test","message":"bad"}],"completed_at":1}',
    );
    expect(selfCheckJson({ status: 'failure' })).toBe('{"status":"failure","failures":[],"completed_at":1}');
    expect(selfCheckJson({ completed_at: 0 })).toBe('{"status":"success","failures":[],"completed_at":0}');
  });

  it('keeps the template order and appends unknown keys', () => {
    expect(selfCheckJson({ completed_at: 1_800_000_000, status: 'success', note: 'x' })).toBe(
      '{"status":"success","failures":[],"completed_at":1800000000,"note":"x"}',
    );
    expect(selfCheckJson({ failures: undefined })).toBe('{"status":"success","completed_at":1}');
  });
});
