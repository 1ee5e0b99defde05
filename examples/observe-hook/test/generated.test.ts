// Generated requests: every kind of valid `observe` batch the host could send — each event kind,
// empty and huge batches, empty and non-ASCII texts, u64 counters beyond 2^53 — derived from the
// wire schema, with any failure shrunk to a minimal batch.
import { ObserveFn, plugin } from 'cc-lb-plugin-conformance';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect, test } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

/** The plugin as a host that grants the telemetry capability runs it. */
const granted = plugin(withIdentity(source, identity), { capabilities: ['observability:emit'] });

describe('generated observe batches', () => {
  test('every one is acknowledged with the empty response, never with a guest error', async () => {
    await expect(granted).toHandleGeneratedRequests(ObserveFn, {
      runs: 300,
      allowGuestErrors: false,
      check: (_request, outcome) => outcome.kind === 'ok' && Object.keys(outcome.response).length === 0,
    });
  }, 30_000);
});
