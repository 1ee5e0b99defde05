import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { output, pluginModule } from '../../../src/wat/index.js';
import { uncoloured } from '../../support/uncoloured.js';
import { SHAPE_ACCEPT, shapePlugin } from '../../support/vitest-plugins.js';

/** Reads fine, but `abi_envelope` 2 fails check 4 (the reader accepts any u32). */
const envelopeTwo = shapePlugin({
  identity: { plugin_name: 'demo-shape', plugin_version: '1.2.3', abi_envelope: 2 },
});
/** No self-check export and an upper-case name: checks 5 and 7 fail. */
const twoProblems = pluginModule({
  identity: { plugin_name: 'Demo', plugin_version: '1.0.0' },
  exports: { cc_lb_handshake: output(SHAPE_ACCEPT) },
});

describe('toPassStaticChecks', () => {
  test('passes when all nine checks pass', async () => {
    await expect(shapePlugin()).toPassStaticChecks();
  });

  test('lists every failing check with its detail', async () => {
    await expect(
      uncoloured(expect(twoProblems).toPassStaticChecks()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toPassStaticChecks()

      Expected all 9 static checks to pass; 2 failed:
        ✗ PluginNameRegexCompliant: plugin_name "Demo" must match ^[a-z][a-z0-9_-]*$ and be at most 64 bytes
        ✗ AllRequiredExportsPresent: missing wasm function export(s): ["cc_lb_self_check"]]
    `);
    await expect(
      uncoloured(expect(envelopeTwo).toPassStaticChecks()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toPassStaticChecks()

      Expected all 9 static checks to pass; 1 failed:
        ✗ IdentityFieldsWellFormed: abi_envelope must be 1; found 2]
    `);
  });

  test('still lists the checks when the identity read itself fails', async () => {
    await expect(
      uncoloured(expect(shapePlugin({ identity: false })).toPassStaticChecks()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toPassStaticChecks()

      Expected all 9 static checks to pass; 6 failed:
        ✗ CustomSectionExactlyOnce: expected exactly one cc_lb.plugin.v1 custom section, found 0
        ✗ CustomSectionSizeWithinLimit: missing cc_lb.plugin.v1 custom section
        ✗ JsonFieldsExactlyFour: missing cc_lb.plugin.v1 custom section
        ✗ IdentityFieldsWellFormed: missing cc_lb.plugin.v1 custom section
        ✗ PluginNameRegexCompliant: missing cc_lb.plugin.v1 custom section
        ✗ PluginVersionLengthCompliant: missing cc_lb.plugin.v1 custom section

      Hint: the module has no cc_lb.plugin.v1 identity section. Add one after building with \`cc-lb-conformance stamp plugin.wasm --name my-plugin --version 0.1.0\`, or in Rust let the PDK write it: \`#[cc_lb_pdk::plugin(name = "my-plugin", version = "0.1.0")] mod plugin { … }\`]
    `);
  });

  test('.not passes when a check fails and fails when all pass', async () => {
    await expect(envelopeTwo).not.toPassStaticChecks();
    await expect(
      uncoloured(expect(shapePlugin()).not.toPassStaticChecks()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toPassStaticChecks()

      Expected a static check to fail, but all 9 passed]
    `);
  });

  test('rejects a wrong receiver', async () => {
    await expect(
      uncoloured(expect([0, 97, 115, 109]).toPassStaticChecks()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toPassStaticChecks()

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView) or a PluginUnderTest from plugin()

      Received has type:  Array
      Received has value: Array [
        0,
        97,
        115,
        109,
      ]]
    `);
  });

  test('a missing identity section fails six checks and gives the hint to add one once', async () => {
    const anonymous = shapePlugin({ identity: false });
    await expect(
      uncoloured(expect(anonymous).toPassStaticChecks()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toPassStaticChecks()

      Expected all 9 static checks to pass; 6 failed:
        ✗ CustomSectionExactlyOnce: expected exactly one cc_lb.plugin.v1 custom section, found 0
        ✗ CustomSectionSizeWithinLimit: missing cc_lb.plugin.v1 custom section
        ✗ JsonFieldsExactlyFour: missing cc_lb.plugin.v1 custom section
        ✗ IdentityFieldsWellFormed: missing cc_lb.plugin.v1 custom section
        ✗ PluginNameRegexCompliant: missing cc_lb.plugin.v1 custom section
        ✗ PluginVersionLengthCompliant: missing cc_lb.plugin.v1 custom section

      Hint: the module has no cc_lb.plugin.v1 identity section. Add one after building with \`cc-lb-conformance stamp plugin.wasm --name my-plugin --version 0.1.0\`, or in Rust let the PDK write it: \`#[cc_lb_pdk::plugin(name = "my-plugin", version = "0.1.0")] mod plugin { … }\`]
    `);
    await expect(uncoloured(expect(anonymous).toHandshake())).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandshake()

      Expected the handshake to succeed
      Received failure: HandshakeError InvalidIdentity (MissingCustomSection): invalid identity field custom_section: missing cc_lb.plugin.v1 custom section
        caused by IdentityReadError MissingCustomSection: missing cc_lb.plugin.v1 custom section

      Hint: the module has no cc_lb.plugin.v1 identity section. Add one after building with \`cc-lb-conformance stamp plugin.wasm --name my-plugin --version 0.1.0\`, or in Rust let the PDK write it: \`#[cc_lb_pdk::plugin(name = "my-plugin", version = "0.1.0")] mod plugin { … }\`]
    `);
  });
});
