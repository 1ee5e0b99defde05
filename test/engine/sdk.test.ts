/** Loading the SDK prints no WASI ExperimentalWarning, and other warnings still get through. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('engine SDK import', () => {
  it('filters only the WASI ExperimentalWarning', () => {
    const script = [
      "const sdk = await import('./src/engine/sdk.ts');",
      "if (typeof sdk.createPlugin !== 'function') throw new Error('no createPlugin');",
      "process.emitWarning('another experiment', 'ExperimentalWarning');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    expect(child.stderr).not.toContain('WASI');
    expect(child.stderr).toContain('ExperimentalWarning: another experiment');
  });
});
