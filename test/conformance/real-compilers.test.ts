/**
 * Real toolchain output through the whole conformance ladder (issue 9, "Real compilers"): a
 * router built by rustc, an observability hook built by clang + wasm-ld and a dialect built by
 * asc, each in a release and a debug build. The modules are checked in under
 * test/fixtures/real-compilers/wasm/ with their sources; `npm run fixtures:build` rebuilds them
 * (this file needs no compiler).
 *
 * Every module must pass what the Rust host requires of its kind: the nine static checks, the
 * handshake, the self-check, the reference verify flow, and dispatches of realistic requests,
 * with the answers the sources say; each also has a request it refuses, which the host turns into
 * the function's fallback at the `plugin_call` stage with the guest's own text.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fixtures,
  handshake,
  identity,
  PluginSession,
  selfCheck,
  verify,
} from '../../src/conformance/index.js';
import { buildPlugin, loadWasm } from '../../src/engine/index.js';
import { buildOffer } from '../../src/host/index.js';
import '../../src/vitest/setup.js';
import {
  type CandidateWire,
  CC_LB_PLUGIN_MAGIC,
  FilterFn,
  NormalizeErrorFn,
  type ObserveEventWire,
  ObserveFn,
  ShapeFn,
} from '../../src/wire/index.js';

const WASM_DIR = new URL('../fixtures/real-compilers/wasm/', import.meta.url);
const PROFILES = ['release', 'debug'] as const;
type Profile = (typeof PROFILES)[number];

function fixture(name: string, profile: Profile): Promise<Uint8Array> {
  return loadWasm(new URL(`${name}.${profile}.wasm`, WASM_DIR));
}

describe('the checked-in modules', () => {
  it('are the ones the last `npm run fixtures:build` recorded in build-info.json', async () => {
    const info = JSON.parse(await readFile(new URL('build-info.json', WASM_DIR), 'utf8')) as {
      sha256: Record<string, string>;
    };
    const present = (await readdir(WASM_DIR)).filter((file) => file.endsWith('.wasm')).sort();
    expect(Object.keys(info.sha256).sort()).toEqual(present);
    for (const file of present) {
      const digest = createHash('sha256')
        .update(await readFile(new URL(file, WASM_DIR)))
        .digest('hex');
      expect({ file, digest }).toEqual({ file, digest: info.sha256[file] });
    }
  });
});

/** The static check names in reference order, each passing. */
const ALL_CHECKS_PASS = [
  'CustomSectionExactlyOnce',
  'CustomSectionSizeWithinLimit',
  'JsonFieldsExactlyFour',
  'IdentityFieldsWellFormed',
  'PluginNameRegexCompliant',
  'PluginVersionLengthCompliant',
  'AllRequiredExportsPresent',
  'ExtismCanInstantiate',
  'NoWasiImports',
].map((name) => ({ name, pass: true }));

const fuel = expect.any(Number);

interface Plugin {
  name: string;
  compiler: string;
  kind: 'router' | 'observability' | 'shape';
  chosenVersions: Record<string, number>;
  dispatch: { layer: string; detail: string }[];
  extras: { kind: string; message: string }[];
}

const SHAPE_DETAIL = 'shape dispatch returned a decodable response';

const PLUGINS: Plugin[] = [
  {
    name: 'rust-router',
    compiler: 'rustc (wasm32-unknown-unknown, serde_json)',
    kind: 'router',
    chosenVersions: { filter: 1 },
    dispatch: [
      { layer: 'dispatch:filter:empty_candidates', detail: '0 candidates -> 0 decisions' },
      { layer: 'dispatch:filter:candidate_count', detail: '1 candidate(s) -> matching decisions' },
    ],
    extras: [],
  },
  {
    name: 'c-observe',
    compiler: 'clang --target=wasm32-unknown-unknown + wasm-ld',
    kind: 'observability',
    chosenVersions: { observe: 1 },
    dispatch: [
      { layer: 'dispatch:robustness:empty_events', detail: 'empty event batch accepted' },
      { layer: 'dispatch:robustness:multi_event_batch', detail: 'multi-event batch accepted' },
    ],
    extras: [],
  },
  {
    name: 'asc-dialect',
    compiler: 'asc with @extism/as-pdk',
    kind: 'shape',
    chosenVersions: { normalize_error: 1, shape: 1 },
    dispatch: [
      'dispatch:shape:basic',
      'dispatch:robustness:empty_body',
      'dispatch:robustness:malformed_json',
      'dispatch:robustness:invalid_utf8',
      'dispatch:robustness:large_body',
      'dispatch:robustness:unicode_preservation',
    ].map((layer) => ({ layer, detail: SHAPE_DETAIL })),
    extras: [{ kind: 'extra_function', message: "plugin also declares 'normalize_error'" }],
  },
];

describe.each(PLUGINS.flatMap((plugin) => PROFILES.map((profile) => ({ ...plugin, profile }))))(
  '$name ($compiler, $profile build): the conformance ladder',
  (plugin) => {
    let wasm: Uint8Array;
    beforeAll(async () => {
      wasm = await fixture(plugin.name, plugin.profile);
    });

    it('passes the nine static checks; the identity section names the plugin', async () => {
      const report = await identity.read(wasm);
      expect(report.staticChecks).toEqual(ALL_CHECKS_PASS);
      expect(report.identity).toEqual({
        magic: [...CC_LB_PLUGIN_MAGIC],
        abi_envelope: 1,
        plugin_name: plugin.name,
        plugin_version: '0.1.0',
      });
      await expect(wasm).toPassStaticChecks();
    });

    it('handshakes: chooses version 1 of its functions, requires no capability', async () => {
      expect(await handshake.run(wasm)).toEqual({
        chosenVersions: plugin.chosenVersions,
        envelopeVersion: 1,
        identity: { name: plugin.name, version: '0.1.0', abiEnvelope: 1 },
        negotiatedCapabilities: [],
        fuelConsumed: fuel,
      });
    });

    it('passes its self-check', async () => {
      expect(await selfCheck.run(wasm)).toEqual({ status: 'Success', failures: [], fuelConsumed: fuel });
      await expect(wasm).toPassSelfCheck();
    });

    it(`passes verify.${plugin.kind} with the reference report`, async () => {
      expect(await verify[plugin.kind](wasm)).toEqual({
        identity: { layer: 'identity', passed: true, detail: plugin.name },
        handshake: {
          layer: 'handshake',
          passed: true,
          detail: `${Object.keys(plugin.chosenVersions).length} function(s) negotiated`,
          fuelConsumed: fuel,
        },
        selfCheck: { layer: 'self_check', passed: true, detail: undefined, fuelConsumed: fuel },
        dispatch: plugin.dispatch.map((layer) => ({ ...layer, passed: true, fuelConsumed: fuel })),
        extras: plugin.extras,
      });
      await expect(wasm).toVerifyAs(plugin.kind);
    });
  },
);

/** A candidate with nothing against it (the dry-run sample with a name of its own). */
function candidate(id: string, overrides: Partial<CandidateWire> = {}): CandidateWire {
  return {
    ...fixtures.filterRequestBuilder().addCandidate().build().candidates[0]!,
    upstream_id: id,
    ...overrides,
  };
}

describe.each(PROFILES)('rust-router (%s build): filter decisions', (profile) => {
  let session: PluginSession;
  beforeAll(async () => {
    session = await PluginSession.create(await fixture('rust-router', profile));
    return () => session.close();
  });

  it('accepts a usable candidate and rejects exhausted ones, with reasons, in request order', async () => {
    const request = fixtures
      .filterRequestBuilder()
      .requestId('req-7f3a')
      .headers([{ name: 'content-type', value_base64: 'YXBwbGljYXRpb24vanNvbg==' }])
      .query('beta=true')
      .bodyBase64('e30=')
      .candidates([
        candidate('11111111-1111-4111-8111-111111111111', {
          observed_rate_limits: [
            { kind: 'requests', window: '1m', limit: 4000n, remaining: 3999n, reset: '2026-12-05T08:00:00Z' },
          ],
          cache_score: {
            predicted_cache_read_tokens: 1200,
            predicted_cache_creation_tokens_5m: 0,
            predicted_cache_creation_tokens_1h: 0,
            predicted_uncached_input_tokens: 35,
            confidence: 0.75,
          },
        }),
        candidate('22222222-2222-4222-8222-222222222222', {
          observed_rate_limits: [{ kind: 'tokens', window: '1m', limit: 80000n, remaining: 0n, reset: null }],
        }),
        candidate('33333333-3333-4333-8333-333333333333', {
          kind: 'claude_subscription',
          subscription_quotas: [
            {
              window: '5h',
              source: 'headers',
              data_state: 'fresh',
              utilization: 0.97,
              status: 'allowed_warning',
              resets_at_unix_secs: 1_800_000_000n,
              surpassed_threshold: false,
              representative_claim: null,
              disabled_reason: null,
              observed_at_unix_millis: 1_799_999_000_000n,
              age_secs: 3n,
            },
          ],
        }),
      ])
      .build();
    await expect(session)
      .toDispatch(FilterFn, request)
      .ok({
        results: [
          { upstream_id: '11111111-1111-4111-8111-111111111111', decision: 'accept', reason: '' },
          {
            upstream_id: '22222222-2222-4222-8222-222222222222',
            decision: 'reject',
            reason: 'tokens rate limit exhausted for window 1m',
          },
          {
            upstream_id: '33333333-3333-4333-8333-333333333333',
            decision: 'reject',
            reason: 'subscription quota over threshold for window 5h',
          },
        ],
      });
  });

  it("rejects upstream kinds outside the principal's allowed_upstream_kinds claim", async () => {
    const request = fixtures
      .filterRequestBuilder()
      .principal({ id: 'team-a', kind: 'api_key', claims: { allowed_upstream_kinds: ['anthropic_api_key'] } })
      .candidates([candidate('a'), candidate('b', { kind: 'claude_subscription' })])
      .build();
    await expect(session)
      .toDispatch(FilterFn, request)
      .ok({
        results: [
          { upstream_id: 'a', decision: 'accept', reason: '' },
          {
            upstream_id: 'b',
            decision: 'reject',
            reason: 'upstream kind claude_subscription is not allowed for this principal',
          },
        ],
      });
  });

  it('a malformed claim is a guest error: the host uses its default routing (UseDefault at plugin_call)', async () => {
    const request = fixtures
      .filterRequestBuilder()
      .principal({ id: 'team-a', kind: 'api_key', claims: { allowed_upstream_kinds: 'anthropic_api_key' } })
      .addCandidate()
      .build();
    const outcome = await session.dispatch(FilterFn, request);
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'UseDefault',
      stage: 'plugin_call',
      error: 'plugin call failed: claim allowed_upstream_kinds must be an array of strings',
    });
    await expect(session).toDispatch(FilterFn, request).fallback('UseDefault', { stage: 'plugin_call' });
    // A fallback does not poison the session.
    await expect(session).toDispatch(FilterFn).ok({ results: [] });
  });
});

const EVERY_KIND_OF_EVENT: ObserveEventWire[] = [
  { kind: 'request_started', request_id: 'req-7f3a', downstream_user_agent: 'claude-cli/2.0' },
  { kind: 'authn_complete', principal_id: 'team-a', principal_kind: 'api_key' },
  { kind: 'upstream_chosen', upstream: { kind: 'anthropic_direct' } },
  { kind: 'chunk', batch_index: 0n, event_count: 12n, total_bytes: 4096n },
  {
    kind: 'request_finished',
    status: 200,
    input_tokens: 1200n,
    output_tokens: 300n,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: 1100n,
    duration_ms: 2400n,
  },
  { kind: 'error', code: 'upstream_timeout', message: 'upstream took too long', source: 'proxy' },
];

describe.each(PROFILES)('c-observe (%s build): observe batches', (profile) => {
  let session: PluginSession;
  beforeAll(async () => {
    session = await PluginSession.create(await fixture('c-observe', profile));
    return () => session.close();
  });

  it('accepts a batch with every kind of event, and keeps accepting batches on the same instance', async () => {
    const batch = fixtures.observeRequestBuilder();
    for (const event of EVERY_KIND_OF_EVENT) batch.addEvent(event);
    await expect(session).toDispatch(ObserveFn, batch.build()).ok({});
    await expect(session).toDispatch(ObserveFn, batch.build()).ok({});
    await expect(session).toDispatch(ObserveFn).ok({});
  });

  it('answers from a 256-byte kernel block: the output is exactly the output_set length', async () => {
    const plugin = await buildPlugin(await fixture('c-observe', profile), { wallMs: 200, fuel: 10_000_000 });
    try {
      const result = await plugin.call('cc_lb_handshake', JSON.stringify(buildOffer()));
      const accept =
        '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"observe":1},' +
        '"plugin_supported":{"observe":[1]},"implemented_functions":["observe"],"required_capabilities":[]}';
      expect(result.text()).toBe(accept);
      expect(result.output).toHaveLength(accept.length);
    } finally {
      await plugin.close();
    }
  });

  it('a batch over 64 events is a guest error: the host skips it (SilentSkip at plugin_call)', async () => {
    const batch = fixtures.observeRequestBuilder();
    for (let i = 0; i < 65; i++)
      batch.addEvent({ kind: 'chunk', batch_index: BigInt(i), event_count: 1n, total_bytes: 64n });
    const outcome = await session.dispatch(ObserveFn, batch.build());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'SilentSkip',
      stage: 'plugin_call',
      error: 'plugin call failed: observe batch of 65 events exceeds the 64 this hook buffers',
    });
    await expect(session)
      .toDispatch(ObserveFn, batch.build())
      .fallback('SilentSkip', { stage: 'plugin_call' });
    await expect(session)
      .toDispatch(ObserveFn, { events: EVERY_KIND_OF_EVENT.slice(0, 64) })
      .ok({});
  });
});

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe.each(PROFILES)('asc-dialect (%s build): shape and normalize_error', (profile) => {
  let session: PluginSession;
  beforeAll(async () => {
    session = await PluginSession.create(await fixture('asc-dialect', profile));
    return () => session.close();
  });

  it("shapes a client request for the upstream's base URL, dropping the client's own headers", async () => {
    const body = base64(
      '{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"héllo"}]}',
    );
    const request = fixtures
      .shapeRequestBuilder()
      .method('POST')
      .path('/v1/messages')
      .query('beta=true')
      .headers([
        { name: 'Authorization', value_base64: base64('Bearer client-token') },
        { name: 'Host', value_base64: base64('proxy.internal') },
        { name: 'content-type', value_base64: base64('application/json') },
        { name: 'anthropic-beta', value_base64: base64('prompt-caching-2024-07-31') },
      ])
      .bodyBase64(body)
      .upstreamBaseUrl('https://gateway.example/anthropic/')
      .build();
    await expect(session)
      .toDispatch(ShapeFn, request)
      .ok({
        url: 'https://gateway.example/anthropic/v1/messages?beta=true',
        method: 'POST',
        headers: [
          { name: 'content-type', value_base64: base64('application/json') },
          { name: 'anthropic-beta', value_base64: base64('prompt-caching-2024-07-31') },
          { name: 'anthropic-version', value_base64: base64('2023-06-01') },
        ],
        body_base64: body,
      });
  });

  it("keeps the client's anthropic-version and defaults to Anthropic's API", async () => {
    const request = fixtures
      .shapeRequestBuilder()
      .method('GET')
      .path('/v1/models')
      .headers([{ name: 'Anthropic-Version', value_base64: base64('2024-01-01') }])
      .build();
    await expect(session)
      .toDispatch(ShapeFn, request)
      .ok({
        url: 'https://api.anthropic.com/v1/models',
        method: 'GET',
        headers: [{ name: 'Anthropic-Version', value_base64: base64('2024-01-01') }],
        body_base64: '',
      });
  });

  it('normalizes an upstream 5xx body into the error shape; other statuses pass through', async () => {
    const overloaded =
      '{"type":"error","error":{"type":"overloaded_error","message":"upstream answered 529"}}';
    await expect(session)
      .toDispatch(NormalizeErrorFn, { status: 529, body_base64: base64('<html>busy</html>') })
      .ok({ body_base64: base64(overloaded) });
    const failed = '{"type":"error","error":{"type":"api_error","message":"upstream answered 502"}}';
    await expect(session)
      .toDispatch(NormalizeErrorFn, { status: 502, body_base64: '' })
      .ok({ body_base64: base64(failed) });
    await expect(session)
      .toDispatch(NormalizeErrorFn, { status: 404, body_base64: '' })
      .ok({ body_base64: null });
  });

  it('a relative path is a guest error: the host fails the request (FailRequest at plugin_call)', async () => {
    const request = fixtures.shapeRequestBuilder().path('v1/messages').build();
    const outcome = await session.dispatch(ShapeFn, request);
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'plugin_call',
      error: 'plugin call failed: request path must start with `/`, got `v1/messages`',
    });
    await expect(session).toDispatch(ShapeFn, request).fallback('FailRequest', { stage: 'plugin_call' });
    await expect(session)
      .toDispatch(ShapeFn)
      .ok(expect.objectContaining({ url: 'https://api.anthropic.com/v1/messages' }));
  });
});
