import { describe, expect, it } from 'vitest';
import {
  DispatchError,
  HandshakeError,
  IdentityError,
  RunError,
  SelfCheckError,
  VerifyError,
} from '../../src/conformance/errors.js';

describe('HandshakeError', () => {
  it.each([
    [{ kind: 'Instantiate', reason: 'bad import' } as const, 'plugin instantiation failed: bad import'],
    [{ kind: 'MissingExport' } as const, 'plugin does not export cc_lb_handshake'],
    [
      { kind: 'InvalidIdentity', field: 'payload', reason: 'malformed' } as const,
      'invalid identity field payload: malformed',
    ],
    [{ kind: 'FunctionMissing', name: 'filter' } as const, 'declared function missing wasm export: filter'],
    [
      { kind: 'DowngradeAttempt', function: 'shape', hostOfferedMax: 3, pluginChose: 1 } as const,
      'downgrade attempt for function shape: host offered max 3, plugin chose 1',
    ],
    [
      { kind: 'MissingCapability', name: 'observability:emit' } as const,
      'missing host capability: observability:emit',
    ],
    [{ kind: 'Serialization', reason: 'eof' } as const, 'handshake serialization failed: eof'],
    [{ kind: 'WasmTrap', reason: 'unreachable' } as const, 'wasm execution failed: unreachable'],
  ])('%o displays as the Rust text', (variant, message) => {
    const error = new HandshakeError(variant);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error.message).toBe(message);
    expect(error).toMatchObject(variant);
  });

  it('keeps the lower error as cause and narrows on kind', () => {
    const lower = new Error('host');
    const error: HandshakeError = new HandshakeError(
      { kind: 'DowngradeAttempt', function: 'shape', hostOfferedMax: 3, pluginChose: 1 },
      lower,
    );
    expect(error.cause).toBe(lower);
    if (error.kind === 'DowngradeAttempt') expect(error.hostOfferedMax).toBe(3);
    else expect.unreachable();
  });

  it('is named HandshakeError unless the variant has its own `name` field', () => {
    expect(new HandshakeError({ kind: 'MissingExport' }).name).toBe('HandshakeError');
    expect(String(new HandshakeError({ kind: 'MissingExport' }))).toBe(
      'HandshakeError: plugin does not export cc_lb_handshake',
    );
    expect(new HandshakeError({ kind: 'FunctionMissing', name: 'filter' }).name).toBe('filter');
  });

  it('fields are readonly', () => {
    const error = new HandshakeError({ kind: 'WasmTrap', reason: 'x' });
    expect(() => {
      (error as { reason: string }).reason = 'y';
    }).toThrow(TypeError);
  });
});

describe('SelfCheckError', () => {
  it.each([
    [{ kind: 'Instantiate', reason: 'r' } as const, 'plugin instantiation failed: r'],
    [{ kind: 'MissingExport' } as const, 'plugin does not export cc_lb_self_check'],
    [{ kind: 'FailureStatus' } as const, 'self-check reported failure status'],
    [{ kind: 'Output', reason: 'r' } as const, 'self-check output invalid: r'],
    [{ kind: 'WasmTrap', reason: 'r' } as const, 'wasm execution failed: r'],
  ])('%o displays as the Rust text', (variant, message) => {
    const error = new SelfCheckError(variant);
    expect(error).toBeInstanceOf(SelfCheckError);
    expect(error.name).toBe('SelfCheckError');
    expect(error.message).toBe(message);
    expect(error.kind).toBe(variant.kind);
  });
});

describe('RunError', () => {
  it('Build and Handshake', () => {
    expect(new RunError({ kind: 'Build', reason: 'r' }).message).toBe('plugin instantiation failed: r');
    const inner = new HandshakeError({ kind: 'MissingExport' });
    const error = new RunError({ kind: 'Handshake', cause: inner });
    expect(error.message).toBe('handshake failed: plugin does not export cc_lb_handshake');
    expect(error.cause).toBe(inner);
    expect(error.kind).toBe('Handshake');
  });
});

describe('DispatchError and VerifyError', () => {
  it('Fallback renders the policy as its Debug name and keeps stage and reason', () => {
    const error = new DispatchError({
      kind: 'Fallback',
      function: 'shape',
      policy: 'FailRequest',
      stage: 'plugin_call',
      reason: 'plugin call failed: boom',
      errorKind: 'PluginCall',
    });
    expect(error.message).toBe('shape dispatch fell back with policy FailRequest');
    expect(error).toMatchObject({
      stage: 'plugin_call',
      reason: 'plugin call failed: boom',
      errorKind: 'PluginCall',
    });
  });

  it('InvalidResponse', () => {
    expect(
      new DispatchError({
        kind: 'InvalidResponse',
        function: 'filter',
        reason: 'expected 0 decision(s), got 1',
      }).message,
    ).toBe('filter response failed conformance check: expected 0 decision(s), got 1');
  });

  it('VerifyError prefixes the inner message per layer and keeps it as cause', () => {
    const inner = new DispatchError({
      kind: 'InvalidResponse',
      function: 'filter',
      reason: 'expected 0 decision(s), got 1',
    });
    const error = new VerifyError({ kind: 'Dispatch', cause: inner });
    expect(error.message).toBe(
      'dispatch verification failed: filter response failed conformance check: expected 0 decision(s), got 1',
    );
    expect(error.cause).toBe(inner);
    expect(
      new VerifyError({ kind: 'Handshake', cause: new HandshakeError({ kind: 'MissingExport' }) }).message,
    ).toBe('handshake verification failed: plugin does not export cc_lb_handshake');
    expect(
      new VerifyError({ kind: 'SelfCheck', cause: new SelfCheckError({ kind: 'FailureStatus' }) }).message,
    ).toBe('self-check verification failed: self-check reported failure status');
    const read = new Error('missing cc_lb.plugin.v1 custom section');
    expect(new VerifyError({ kind: 'Identity', cause: new IdentityError(read, []) }).message).toBe(
      'identity verification failed: missing cc_lb.plugin.v1 custom section',
    );
  });
});

describe('IdentityError', () => {
  it('is transparent: the reader message unchanged, the reader error as cause', () => {
    const read = new Error('invalid plugin identity: plugin name is empty');
    const error = new IdentityError(read, []);
    expect(error.kind).toBe('Read');
    expect(error.message).toBe('invalid plugin identity: plugin name is empty');
    expect(error.cause).toBe(read);
    expect(error.name).toBe('IdentityError');
  });
});
