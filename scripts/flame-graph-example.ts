/**
 * Renders the README's flame graph: the shape example (examples/shape-dialect) compiled with its
 * function names, dispatching `shape` with a 64 KiB body under the default budget, profiled.
 * `node --import tsx scripts/flame-graph-example.ts` rewrites docs/shape-dialect-flame-graph.svg;
 * fuel is deterministic, so the picture changes only when the plugin or the fuel model does.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatch, fixtures } from '../src/conformance/index.js';
import { toFlameGraphSvg } from '../src/engine/index.js';
import { compileWat } from '../src/wat/compile.js';
import { withIdentity } from '../src/wat/sections.js';
import { ShapeFn } from '../src/wire/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'examples', 'shape-dialect');
const identity = JSON.parse(await readFile(join(example, 'identity.json'), 'utf8')) as object;
const source = await readFile(join(example, 'plugin.wat'), 'utf8');
const wasm = withIdentity(compileWat(source, 'plugin.wat', { debugNames: true }), identity);

const request = fixtures
  .shapeRequestBuilder()
  .bodyBase64(Buffer.from('x'.repeat(65_536)).toString('base64'))
  .build();
const outcome = await dispatch.run(wasm, ShapeFn, request, { profile: true });
if (outcome.profile === undefined) throw new Error(`no profile: ${JSON.stringify(outcome)}`);

const out = join(root, 'docs', 'shape-dialect-flame-graph.svg');
await mkdir(join(root, 'docs'), { recursive: true });
await writeFile(out, toFlameGraphSvg(outcome.profile, { title: 'shape-dialect: shape with a 64 KiB body' }));
console.log(`${out}: ${outcome.profile.total.toLocaleString('en-US')} fuel`);
for (const f of outcome.profile.functions.slice(0, 5)) {
  console.log(
    `  ${f.name}: ${f.self.toLocaleString('en-US')} self, ${f.total.toLocaleString('en-US')} total`,
  );
}
