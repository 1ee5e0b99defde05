/** Runs the CLI in-process with captured output, as a person at a non-TTY terminal would see it. */
import { runCli } from '../../src/cli/run.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliCaptured(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => ({
    write: (s: string) => {
      append(s);
      return true;
    },
  });
  const code = await runCli(argv, {
    stdout: sink((s) => {
      stdout += s;
    }) as never,
    stderr: sink((s) => {
      stderr += s;
    }) as never,
    env: {},
  });
  return { code, stdout, stderr };
}
