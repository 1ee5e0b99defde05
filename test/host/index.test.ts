import { describe, expect, it } from 'vitest';
import * as host from '../../src/host/index.js';

describe('the host layer entry', () => {
  it('exports the contract names and no internal helpers', () => {
    expect(Object.keys(host).sort()).toEqual(
      [
        'DISPATCH_PANIC_CHANNEL',
        'DISPATCH_STAGES',
        'HandshakeExecutionError',
        'IdentityReadError',
        'SelfCheckExecutionError',
        'buildOffer',
        'dispatchWireCall',
        'executeHandshake',
        'executeSelfCheck',
        'readIdentity',
        'slotSetFromExtismExports',
        'slotSetFromHandshake',
        'walkWasm',
      ].sort(),
    );
  });
});
