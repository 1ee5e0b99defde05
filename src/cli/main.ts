#!/usr/bin/env node
/** CLI layer: the `cc-lb-conformance` executable. */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
