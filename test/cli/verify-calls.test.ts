/**
 * `cc-lb-conformance verify` runs the verify flow once: each guest export is called as often as
 * the flow needs it, whatever the number of kinds — counted at the engine, where every guest call
 * goes through `LoadedPlugin.call`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { output } from '../../src/wat/index.js';
import { acceptFor, guestModule } from '../support/guest-modules.js';

const calls = vi.hoisted(() => new Map<string, number>());

vi.mock('../../src/engine/index.js', async (importOriginal) => {
  const engine = await importOriginal<typeof import('../../src/engine/index.js')>();
  const buildPlugin: typeof engine.buildPlugin = async (...args) => {
    const plugin = await engine.buildPlugin(...args);
    const call = plugin.call.bind(plugin);
    return Object.assign(Object.create(plugin), {
      call: (name: string, input: string | Uint8Array) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return call(name, input);
      },
    });
  };
  return { ...engine, buildPlugin };
});

describe('verify calls each guest export once per flow', () => {
  it('one self-check, two handshakes (report and session) and the cases, for a plugin of three kinds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-calls-'));
    const path = join(dir, 'three-kinds.wasm');
    const shape = '{"_v":1,"url":"https://x.test/","method":"POST","headers":[],"body_base64":""}';
    await writeFile(
      path,
      guestModule({
        handshake: acceptFor('shape', 'filter', 'observe'),
        handlers: {
          shape: output(shape),
          filter: output('{"_v":1,"results":[]}'),
          observe: output('{"_v":1}'),
        },
      }),
    );
    // The setup file loaded the real engine before this file's mock existed: load the CLI afresh.
    vi.resetModules();
    const { runCliCaptured } = await import('../support/cli-run.js');
    calls.clear();
    const r = await runCliCaptured('verify', path);
    expect(r.stdout).toContain('(kind: shape, router, observability)');
    expect(Object.fromEntries(calls)).toEqual({
      cc_lb_self_check: 1,
      cc_lb_handshake: 2,
      shape: 6,
      filter: 2,
      observe: 2,
    });
  });
});
