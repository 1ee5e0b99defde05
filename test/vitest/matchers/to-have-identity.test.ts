import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { uncoloured } from '../../support/uncoloured.js';
import { shapePlugin } from '../../support/vitest-plugins.js';

const good = shapePlugin();
const noIdentity = shapePlugin({ identity: false });

describe('toHaveIdentity', () => {
  test('matches the conformance form of the identity as a subset', async () => {
    await expect(good).toHaveIdentity({ name: 'demo-shape', version: '1.2.3', abiEnvelope: 1 });
    await expect(plugin(good)).toHaveIdentity({ name: expect.stringMatching(/^demo-/) });
  });

  test('fails on a different identity, with the projected identity as `actual`', async () => {
    await expect(
      uncoloured(expect(good).toHaveIdentity({ name: 'other' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHaveIdentity(expected)

      Expected identity: Object {
        "name": "other",
      }
      Received identity: Object {
        "name": "demo-shape",
      }]
    `);
    const error = await Promise.resolve(expect(good).toHaveIdentity({ version: '2.0.0' })).catch(
      (e: unknown) => e as { actual: unknown },
    );
    expect(error?.actual).toEqual({ version: '1.2.3' });
  });

  test('fails when the identity cannot be read, saying why', async () => {
    await expect(
      uncoloured(expect(noIdentity).toHaveIdentity({ name: 'demo-shape' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHaveIdentity(expected)

      Expected identity: Object {
        "name": "demo-shape",
      }
      Received failure: IdentityError Read: missing cc_lb.plugin.v1 custom section
        caused by IdentityReadError MissingCustomSection: missing cc_lb.plugin.v1 custom section

      Hint: the module has no cc_lb.plugin.v1 identity section. Add one after building with \`cc-lb-conformance stamp plugin.wasm --name my-plugin --version 0.1.0\`, or in Rust let the PDK write it: \`#[cc_lb_pdk::plugin(name = "my-plugin", version = "0.1.0")] mod plugin { … }\`]
    `);
  });

  test('.not passes on another identity and fails on the same one', async () => {
    await expect(good).not.toHaveIdentity({ name: 'other' });
    await expect(
      uncoloured(expect(good).not.toHaveIdentity({ name: 'demo-shape' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toHaveIdentity(expected)

      Expected identity: not Object {
        "name": "demo-shape",
      }
      Received identity: Object {
        "abiEnvelope": 1,
        "name": "demo-shape",
        "version": "1.2.3",
      }]
    `);
  });

  test('rejects a PluginSession, pointing at session.plugin (identity matchers read the module)', async () => {
    const session = await PluginSession.create(good);
    try {
      await expect(session.plugin).toHaveIdentity({ name: 'demo-shape' });
      await expect(
        // @ts-expect-error a session does not compile either; JavaScript callers get this error
        uncoloured(expect(session).toHaveIdentity({ name: 'demo-shape' })),
      ).rejects.toThrowErrorMatchingInlineSnapshot(`
        [TypeError: expect(received).toHaveIdentity(expected)

        Matcher error: received value is a PluginSession; the identity matchers read the module itself: pass the wasm bytes or the PluginUnderTest (the \`plugin\` fixture, or \`session.plugin\`)]
      `);
    } finally {
      await session.close();
    }
  });

  test('rejects a wrong receiver', async () => {
    await expect(
      uncoloured(expect(undefined).toHaveIdentity({ name: 'x' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toHaveIdentity(expected)

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView) or a PluginUnderTest from plugin()

      Received has type:  Undefined
      Received has value: undefined]
    `);
  });
});
