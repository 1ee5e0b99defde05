/**
 * The common mistakes get one hint each, after the report: no identity section (how to stamp one,
 * or the Rust PDK's attribute), AssemblyScript's `env.abort` import (`asc --use abort=`), WASI
 * imports (the wasm32-unknown-unknown target). A version the host never offered keeps the Rust
 * kind, `InvalidIdentity`, with the inner kind beside it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acceptJson,
  compileWat,
  output,
  pluginModuleWat,
  selfCheckJson,
  withIdentity,
} from '../../src/wat/index.js';
import { runCliCaptured } from '../support/cli-run.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-hints-'));
});

/** A router that chooses `filter` at `version` (the host offers only 1). */
function routerWat(version = 1): string {
  return pluginModuleWat({
    exports: {
      cc_lb_handshake: output(
        acceptJson({
          chosen_versions: { filter: version },
          plugin_supported: { filter: [1, 2] },
          implemented_functions: ['filter'],
        }),
      ),
      cc_lb_self_check: output(selfCheckJson()),
      filter: output({ _v: 1, results: [] }),
    },
  });
}
const ROUTER_WAT = routerWat();

/** The router module with one more import; stamped with an identity unless `identity` is false. */
async function moduleFile(name: string, extraImport: string | undefined, identity = true): Promise<string> {
  const text =
    extraImport === undefined ? ROUTER_WAT : ROUTER_WAT.replace('(module', `(module\n  ${extraImport}`);
  const bytes = identity ? withIdentity(compileWat(text), { plugin_name: 'hinted' }) : compileWat(text);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** The report with the file path and column padding made stable. */
function report(stdout: string, path: string): string {
  return stdout.replaceAll(path, '<plugin.wasm>').replace(/ {2,}/g, '  ').trimEnd();
}

describe('hints', () => {
  it('a missing identity section: the static checks fail, and the hint to stamp one comes once', async () => {
    const path = await moduleFile('no-identity.wasm', undefined, false);
    const r = await runCliCaptured('verify', path);
    expect(r.code).toBe(1);
    expect(r.stdout.match(/hint:/g)).toHaveLength(1);
    expect(report(r.stdout, path)).toMatchInlineSnapshot(`
      "cc-lb-conformance verify <plugin.wasm>
        ✗ identity  missing cc_lb.plugin.v1 custom section
        ✗ identity:CustomSectionExactlyOnce  expected exactly one cc_lb.plugin.v1 custom section, found 0
        ✗ identity:CustomSectionSizeWithinLimit  missing cc_lb.plugin.v1 custom section
        ✗ identity:JsonFieldsExactlyFour  missing cc_lb.plugin.v1 custom section
        ✗ identity:IdentityFieldsWellFormed  missing cc_lb.plugin.v1 custom section
        ✗ identity:PluginNameRegexCompliant  missing cc_lb.plugin.v1 custom section
        ✗ identity:PluginVersionLengthCompliant  missing cc_lb.plugin.v1 custom section
        ✗ handshake  invalid identity field custom_section: missing cc_lb.plugin.v1 custom section
        ✓ self_check  fuel 1,060 / 10,000,000
      hint: the module has no cc_lb.plugin.v1 identity section. Add one after building with \`cc-lb-conformance stamp <plugin.wasm> --name my-plugin --version 0.1.0\`, or in Rust let the PDK write it: \`#[cc_lb_pdk::plugin(name = "my-plugin", version = "0.1.0")] mod plugin { … }\`
      FAIL 8 of 9 layer(s) failed"
    `);
    const id = await runCliCaptured('identity', path);
    expect(id.stdout.match(/hint:/g)).toHaveLength(1);
    expect(id.stdout).toContain(`cc-lb-conformance stamp ${path} --name my-plugin --version 0.1.0`);
  });

  it('an env.abort import: the asc flag that removes it', async () => {
    const path = await moduleFile(
      'abort.wasm',
      '(import "env" "abort" (func $abort (param i32 i32 i32 i32)))',
    );
    const r = await runCliCaptured('verify', path);
    expect(r.code).toBe(1);
    expect(report(r.stdout, path)).toMatchInlineSnapshot(`
      "cc-lb-conformance verify <plugin.wasm>
        ✗ identity  hinted 1.0.0
        ✗ identity:ExtismCanInstantiate  failed to instantiate plugin: import "env" "abort" is not provided: the cc-lb host provides only the Extism kernel ("extism:host/env")
        ✗ handshake  plugin instantiation failed: import "env" "abort" is not provided: the cc-lb host provides only the Extism kernel ("extism:host/env")
        ✗ self_check  plugin instantiation failed: import "env" "abort" is not provided: the cc-lb host provides only the Extism kernel ("extism:host/env")
      hint: the module imports env.abort, which AssemblyScript adds by default and the cc-lb host does not provide. Build with \`asc … --use abort=\` (an abort then traps), or route it to your own function: \`--use abort=assembly/index/myAbort\`
      FAIL 4 of 4 layer(s) failed"
    `);
  });

  it('WASI imports: the build target without WASI', async () => {
    const path = await moduleFile(
      'wasi.wasm',
      '(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))',
    );
    const r = await runCliCaptured('handshake', path);
    expect(r.code).toBe(1);
    expect(report(r.stdout, path)).toMatchInlineSnapshot(`
      "  ✗ handshake  Instantiate: plugin instantiation failed: import "wasi_snapshot_preview1" "fd_write" is not provided: the cc-lb host builds plugins with WASI disabled
      hint: the module imports WASI (wasi_snapshot_preview1); cc-lb runs plugins without WASI. Build for \`wasm32-unknown-unknown\` (\`cargo build --target wasm32-unknown-unknown\`), not a wasi target
      FAIL handshake"
    `);
  });

  it('a chosen version the host never offered: InvalidIdentity, with the inner kind in the headline', async () => {
    const path = join(dir, 'version-not-offered.wasm');
    await writeFile(path, withIdentity(compileWat(routerWat(2)), {}));
    const r = await runCliCaptured('handshake', path);
    expect(r.code).toBe(1);
    expect(report(r.stdout, path)).toMatchInlineSnapshot(`
      "  ✗ handshake  InvalidIdentity (ChosenVersionNotOffered): invalid identity field chosen_versions: handshake validation failed: chosen version not offered: function 'filter' version 2 not in offer
      FAIL handshake"
    `);
  });

  it('a module that fails for another reason gets no hint', async () => {
    // answers no decision for the one candidate of the second case
    const path = await moduleFile('other-failure.wasm', undefined);
    const r = await runCliCaptured('verify', path, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).hints).toEqual([]);
    expect((await runCliCaptured('verify', path)).stdout).not.toContain('hint:');
  });
});
