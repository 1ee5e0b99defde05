/**
 * Conformance layer: `metadataFromHandshake` — the `AugmentedMetadata` a conformance dispatch
 * runs under, built the way cc-lb-plugin-conformance 0.1.x builds it (PROTOCOL.md §8.4): a fresh
 * handshake, the identity read (any failure is field `custom_section`), fixed timestamps, and no
 * self-check — and the per-process memo of its outcomes.
 *
 * Why the outcome may be memoized: a guest that gets this far imports nothing but the Extism
 * kernel (the engine refuses every other import: no host functions, no WASI, no clock, no
 * randomness), the kernel's inputs are the offer and an empty config, and every handshake runs on
 * a fresh instance whose initial state is fixed by the module. Fuel, not the wall clock, decides
 * whether the call finishes. So the outcome — accept or error, and the fuel it consumed — is a
 * pure function of (module bytes, offer JSON, fuel, memory cap), and so is the identity read. The
 * memo keys on exactly those: the bytes' sha-256 (computed once per content by the engine's module
 * cache), the offer as the host serializes it, and the two limits that change what a call can do.
 * A second `PluginSession.create` of the same plugin then builds only its dispatch instance.
 *
 * What is not memoized:
 * - anything under `strictWallClock`, where a call's verdict depends on how long it took;
 * - `Instantiate` failures, which can come from the machine (memory for a new instance) rather
 *   than from the module;
 * - errors that are not `HandshakeError`s (bugs, misuse): they are thrown as they are, every time.
 * The remaining machine-dependent corners are accepted: a guest recursing until V8's stack guard
 * trips sees a stack depth that depends on where the call started (always the same path here),
 * and a `memory.grow` within the cap fails only when the process is out of memory.
 *
 * Callers never share objects through the memo: every hit returns a fresh metadata record, and a
 * memoized failure is rethrown as a fresh copy of the original error chain (same prototypes, kind,
 * fields, message and stack; each `cause` copied the same way), so a test that mutates what it
 * caught cannot affect another.
 */
import { contentDigest } from '../engine/module-cache.js';
import { buildOffer, type IdentityReadError } from '../host/index.js';
import { type AugmentedMetadata, SKIP_HANDSHAKE_IF_FRESH_TTL_SECS } from '../wire/index.js';
import { HandshakeError } from './errors.js';
import { type HandshakeOptions, handshakeAndIdentity } from './handshake.js';
import type { ResolvedPlugin } from './plugin-under-test.js';

/** The reference's fixed clock: handshake and self-check "at" 1, expiring one week later. */
const COMPLETED_AT = 1;

/** Outcomes kept per process; the least recently used one is dropped beyond this. */
export const HANDSHAKE_MEMO_CAPACITY = 256;

export interface MetadataOutcome {
  metadata: AugmentedMetadata;
  /** fuel the `cc_lb_handshake` call consumed (the memoized value on a hit) */
  fuelConsumed: number;
}

type MemoEntry =
  | { readonly ok: true; readonly metadata: AugmentedMetadata; readonly fuelConsumed: number }
  | { readonly ok: false; readonly error: HandshakeError };

/** Insertion order is recency order: a hit is moved to the end, the first key is the oldest. */
const memo = new Map<string, MemoEntry>();

/**
 * Counters for tests and diagnostics: `runs` is how many handshakes this module actually executed
 * (each one builds an instance and calls `cc_lb_handshake`), `hits` how many answers came from the
 * memo. A guest cannot reveal whether it was called again (a fresh instance answers the same every
 * time), so this is how a test proves the memo saved the call.
 */
const stats = { runs: 0, hits: 0 };

/** A snapshot of the memo counters (see `stats`); `clearHandshakeMemo` resets them. */
export function handshakeMemoStats(): { readonly runs: number; readonly hits: number } {
  return { ...stats };
}

/**
 * The offer part of a key is a short id standing for the offer JSON: each distinct offer text gets
 * the next number (never reused, so a forgotten offer cannot lend its id to another), and the
 * caller's offer inputs map to that id, so a hit neither rebuilds and sorts the offer nor hashes
 * its text.
 */
const offerIds = new Map<string, number>();
const offerIdsByInputs = new Map<string, number>();
let nextOfferId = 0;
const OFFER_CACHE_CAPACITY = 64;
/**
 * The offer id of a frozen capability list offered without `functionVersions` (every descriptor's
 * list, and the shared empty one of raw bytes): such a list cannot change, so its id is looked up
 * by identity instead of re-deriving its text on every create. Replaced whenever the ids it
 * mirrors are dropped, so it never answers with an id the text maps would no longer give.
 */
let frozenOfferIds = new WeakMap<readonly unknown[], number>();

/**
 * The last memo key built, with its parts: a create repeating the previous one (the common case)
 * reuses the same string, so the lookup neither concatenates nor re-hashes it.
 */
let lastKey: { digest: string; fuel: number; pages: number; offer: number; key: string } | undefined;
/** The key most recently moved to (or inserted at) the end of `memo`: a hit on it moves nothing. */
let newestKey: string | undefined;

export async function metadataFromHandshake(
  plugin: ResolvedPlugin,
  options: HandshakeOptions = {},
): Promise<MetadataOutcome> {
  // Read the capabilities once: a one-shot iterable must still reach the handshake intact. A
  // frozen array (every descriptor's) can neither change nor be used up, so it is taken as it is.
  const given = options.capabilities ?? plugin.capabilities;
  const capabilities: readonly string[] = Array.isArray(given) && Object.isFrozen(given) ? given : [...given];
  const key = plugin.limits.strictWallClock ? undefined : memoKey(plugin, capabilities, options);
  if (key !== undefined) {
    const entry = memo.get(key);
    if (entry !== undefined) {
      if (key !== newestKey) {
        memo.delete(key);
        memo.set(key, entry);
        newestKey = key;
      }
      stats.hits++;
      if (!entry.ok) throw copyError(entry.error);
      return { metadata: copyMetadata(entry.metadata), fuelConsumed: entry.fuelConsumed };
    }
  }
  let outcome: MetadataOutcome;
  try {
    outcome = await runHandshake(plugin, { ...options, capabilities });
  } catch (error) {
    if (key !== undefined && error instanceof HandshakeError && error.kind !== 'Instantiate') {
      remember(key, { ok: false, error: copyError(error) });
    }
    throw error;
  }
  if (key !== undefined) {
    remember(key, { ok: true, metadata: copyMetadata(outcome.metadata), fuelConsumed: outcome.fuelConsumed });
  }
  return outcome;
}

/** Forgets every memoized outcome and resets the counters (tests and benchmarks). */
export function clearHandshakeMemo(): void {
  memo.clear();
  offerIds.clear();
  offerIdsByInputs.clear();
  frozenOfferIds = new WeakMap();
  lastKey = undefined;
  newestKey = undefined;
  stats.runs = 0;
  stats.hits = 0;
}

async function runHandshake(plugin: ResolvedPlugin, options: HandshakeOptions): Promise<MetadataOutcome> {
  stats.runs++;
  const { execution, identity } = await handshakeAndIdentity(plugin, options, customSectionError);
  const { accept } = execution;
  const metadata: AugmentedMetadata = {
    identity,
    negotiated_functions: { ...accept.chosen_versions },
    negotiated_capabilities: [...accept.required_capabilities],
    handshake_completed_at: COMPLETED_AT,
    self_check_passed: true,
    self_check_completed_at: COMPLETED_AT,
    expires_at: COMPLETED_AT + SKIP_HANDSHAKE_IF_FRESH_TTL_SECS,
  };
  return { metadata, fuelConsumed: execution.fuelConsumed };
}

function customSectionError(error: IdentityReadError): HandshakeError {
  return new HandshakeError(
    { kind: 'InvalidIdentity', field: 'custom_section', reason: error.message },
    error,
  );
}

function remember(key: string, entry: MemoEntry): void {
  // A key already present (two concurrent misses) keeps its place, as `Map.set` leaves it.
  if (!memo.has(key)) newestKey = key;
  memo.set(key, entry);
  if (memo.size > HANDSHAKE_MEMO_CAPACITY) {
    const oldest = memo.keys().next().value as string;
    memo.delete(oldest);
    if (oldest === newestKey) newestKey = undefined;
  }
}

/**
 * The memo key, or undefined when these inputs are not memoized. Offer inputs that are not what
 * the types promise (a non-string capability, a non-number version) skip the memo: their text
 * form might not tell them apart, and the handshake reports them faithfully anyway.
 */
function memoKey(
  plugin: ResolvedPlugin,
  capabilities: readonly unknown[],
  options: HandshakeOptions,
): string | undefined {
  const offer = offerIdFor(capabilities, options.functionVersions);
  if (offer === undefined) return undefined;
  const { fuel, maxMemoryPages: pages } = plugin.limits;
  const digest = contentDigest(plugin.wasm);
  const last = lastKey;
  if (
    last !== undefined &&
    last.digest === digest &&
    last.fuel === fuel &&
    last.pages === pages &&
    last.offer === offer
  ) {
    return last.key;
  }
  const key = `${digest}|f${fuel}|p${pages}|o${offer}`;
  lastKey = { digest, fuel, pages, offer, key };
  return key;
}

function offerIdFor(
  capabilities: readonly unknown[],
  functionVersions: HandshakeOptions['functionVersions'],
): number | undefined {
  if (functionVersions !== undefined || !Object.isFrozen(capabilities)) {
    return offerIdFromText(capabilities, functionVersions);
  }
  let id = frozenOfferIds.get(capabilities);
  if (id === undefined) {
    id = offerIdFromText(capabilities, undefined);
    if (id !== undefined) frozenOfferIds.set(capabilities, id);
  }
  return id;
}

function offerIdFromText(
  capabilities: readonly unknown[],
  functionVersions: HandshakeOptions['functionVersions'],
): number | undefined {
  const inputs = offerInputsText(capabilities, functionVersions);
  if (inputs === undefined) return undefined;
  let id = offerIdsByInputs.get(inputs);
  if (id === undefined) {
    let json: string;
    try {
      json = JSON.stringify(buildOffer(capabilities as string[], functionVersions));
    } catch {
      return undefined; // let the handshake path report it
    }
    id = offerIds.get(json);
    if (id === undefined) {
      if (offerIds.size >= OFFER_CACHE_CAPACITY) {
        offerIds.clear();
        frozenOfferIds = new WeakMap();
      }
      id = nextOfferId++;
      offerIds.set(json, id);
    }
    if (offerIdsByInputs.size >= OFFER_CACHE_CAPACITY) offerIdsByInputs.clear();
    offerIdsByInputs.set(inputs, id);
  }
  return id;
}

/** An injective text of the offer inputs (strings as JSON, numbers exactly, -0 apart from 0). */
function offerInputsText(
  capabilities: readonly unknown[],
  functionVersions: HandshakeOptions['functionVersions'],
): string | undefined {
  if (!capabilities.every((c) => typeof c === 'string')) return undefined;
  let text = JSON.stringify(capabilities);
  if (functionVersions === undefined) return text;
  if (typeof functionVersions !== 'object' || functionVersions === null) return undefined;
  for (const [name, versions] of Object.entries(functionVersions)) {
    if (versions === undefined) continue;
    if (!Array.isArray(versions)) return undefined;
    const parts: string[] = [];
    for (const v of versions as unknown[]) {
      if (typeof v !== 'number') return undefined;
      parts.push(Object.is(v, -0) ? '-0' : String(v));
    }
    text += `|${JSON.stringify(name)}=${parts.join(',')}`;
  }
  return text;
}

function copyMetadata(metadata: AugmentedMetadata): AugmentedMetadata {
  const { identity } = metadata;
  return {
    ...metadata,
    identity: { ...identity, magic: [...identity.magic] },
    negotiated_functions: { ...metadata.negotiated_functions },
    negotiated_capabilities: [...metadata.negotiated_capabilities],
  };
}

/**
 * A fresh error equal to `error`: same prototype and own properties (message, stack, the variant
 * fields), with an `Error` cause copied the same way. Non-error values are shared as they are.
 */
function copyError<E extends Error>(error: E, seen = new Map<object, object>()): E {
  const known = seen.get(error);
  if (known !== undefined) return known as E;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as E;
  seen.set(error, copy);
  const descriptors = Object.getOwnPropertyDescriptors(error);
  const cause = descriptors.cause;
  if (cause !== undefined && 'value' in cause && cause.value instanceof Error) {
    descriptors.cause = { ...cause, value: copyError(cause.value, seen) };
  }
  Object.defineProperties(copy, descriptors);
  return copy;
}
