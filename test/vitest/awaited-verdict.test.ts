import { expect, test } from 'vitest';
import { repoFile, runChildVitest } from '../support/child-vitest.js';

/*
 * Whether a forgotten `await` fails the test can only be seen from outside the test run, so this
 * runs one child Vitest over a file whose tests forget to await, next to one that awaits.
 */
test('an assertion that is never awaited fails the test that created it, with a message saying so', async () => {
  const result = await runChildVitest({
    'never-awaited.test.ts': `import { ShapeFn } from ${JSON.stringify(repoFile('src/wire/index.ts'))};
test('forgets a dispatch chain', () => {
  expect(new Uint8Array()).toDispatch(ShapeFn).ok();
});
test('forgets a plain matcher', () => {
  expect(new Uint8Array()).not.toHandshake();
});
test('awaits', async () => {
  await expect(new Uint8Array([0])).not.toHandshake();
});
`,
  });
  expect(result.output).toContain(
    'NeverAwaitedAssertionError: expect(received).toDispatch(ShapeFn).ok() was never awaited. The matchers of ' +
      'cc-lb-plugin-conformance are asynchronous and check nothing until awaited: write `await expect(…)…`.',
  );
  expect(result.output).toContain(
    'NeverAwaitedAssertionError: expect(received).not.toHandshake() was never awaited.',
  );
  expect(result.output).toMatch(/✓ never-awaited\.test\.ts > awaits/);
  expect(result.output).toMatch(/Tests {2}2 failed \| 1 passed \(3\)/);
  expect(result.code).toBe(1);
}, 60_000);
