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
 * fields and message; each `cause` copied the same way), so a test that mutates what it caught
 * cannot affect another. Each copy's stack is the caller's own, so a failure never points at the
 * test that happened to run the handshake first.
 *
 * All of this state — the memo, the offer ids, the counters — lives in one `HandshakeMemo`
 * object (`handshakeMemo`), bounded, with `clear()`.
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

/** Distinct offer texts (and offer inputs) given an id before the id tables start over. */
const OFFER_CACHE_CAPACITY = 64;

/**
 * The per-process memo of handshake outcomes and everything it keys on.
 *
 * The offer part of a key is a short id standing for the offer JSON: each distinct offer text
 * gets the next number (never reused, so a forgotten offer cannot lend its id to another), and
 * the caller's offer inputs map to that id, so a hit neither rebuilds and sorts the offer nor
 * hashes its text. A frozen capability list offered without `functionVersions` (every
 * descriptor's list, and the shared empty one of raw bytes) cannot change, so its id is looked up
 * by identity; that table is replaced whenever the ids it mirrors are dropped.
 */
export class HandshakeMemo {
  /** Insertion order is recency order: a hit is moved to the end, the first key is the oldest. */
  readonly #entries = new Map<string, MemoEntry>();
  readonly #offerIds = new Map<string, number>();
  readonly #offerIdsByInputs = new Map<string, number>();
  #frozenOfferIds = new WeakMap<readonly unknown[], number>();
  #nextOfferId = 0;
  /** The last key built, with its parts: a create repeating the previous one reuses the string. */
  #lastKey: { digest: string; fuel: number; pages: number; offer: number; key: string } | undefined;
  /** The key most recently moved to (or inserted at) the end: a hit on it moves nothing. */
  #newestKey: string | undefined;
  /**
   * `runs`: handshakes actually executed (each builds an instance and calls `cc_lb_handshake`);
   * `hits`: answers that came from the memo. A guest cannot reveal whether it was called again,
   * so this is how a test proves the memo saved the call.
   */
  readonly #stats = { runs: 0, hits: 0 };

  constructor(readonly capacity: number = HANDSHAKE_MEMO_CAPACITY) {}

  get stats(): { readonly runs: number; readonly hits: number } {
    return { ...this.#stats };
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Forgets every memoized outcome and offer id, and resets the counters. */
  clear(): void {
    this.#entries.clear();
    this.#offerIds.clear();
    this.#offerIdsByInputs.clear();
    this.#frozenOfferIds = new WeakMap();
    this.#lastKey = undefined;
    this.#newestKey = undefined;
    this.#stats.runs = 0;
    this.#stats.hits = 0;
  }

  countRun(): void {
    this.#stats.runs++;
  }

  /** The memoized outcome under `key`, marked most recently used; a failure is re-created here. */
  lookup(key: string): MetadataOutcome | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (key !== this.#newestKey) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newestKey = key;
    }
    this.#stats.hits++;
    if (!entry.ok) throw copyError(entry.error, true);
    return { metadata: copyMetadata(entry.metadata), fuelConsumed: entry.fuelConsumed };
  }

  rememberOutcome(key: string, outcome: MetadataOutcome): void {
    this.#remember(key, {
      ok: true,
      metadata: copyMetadata(outcome.metadata),
      fuelConsumed: outcome.fuelConsumed,
    });
  }

  rememberError(key: string, error: HandshakeError): void {
    this.#remember(key, { ok: false, error: copyError(error, false) });
  }

  #remember(key: string, entry: MemoEntry): void {
    // A key already present (two concurrent misses) keeps its place, as `Map.set` leaves it.
    if (!this.#entries.has(key)) this.#newestKey = key;
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      if (oldest === this.#newestKey) this.#newestKey = undefined;
    }
  }

  /**
   * The memo key, or undefined when these inputs are not memoized. Offer inputs that are not what
   * the types promise (a non-string capability, a non-number version) skip the memo: their text
   * form might not tell them apart, and the handshake reports them faithfully anyway.
   */
  keyFor(
    plugin: ResolvedPlugin,
    capabilities: readonly unknown[],
    options: HandshakeOptions,
  ): string | undefined {
    const offer = this.#offerIdFor(capabilities, options.functionVersions);
    if (offer === undefined) return undefined;
    const { fuel, maxMemoryPages: pages } = plugin.limits;
    const digest = contentDigest(plugin.wasm);
    const last = this.#lastKey;
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
    this.#lastKey = { digest, fuel, pages, offer, key };
    return key;
  }

  #offerIdFor(
    capabilities: readonly unknown[],
    functionVersions: HandshakeOptions['functionVersions'],
  ): number | undefined {
    if (functionVersions !== undefined || !Object.isFrozen(capabilities)) {
      return this.#offerIdFromText(capabilities, functionVersions);
    }
    let id = this.#frozenOfferIds.get(capabilities);
    if (id === undefined) {
      id = this.#offerIdFromText(capabilities, undefined);
      if (id !== undefined) this.#frozenOfferIds.set(capabilities, id);
    }
    return id;
  }

  #offerIdFromText(
    capabilities: readonly unknown[],
    functionVersions: HandshakeOptions['functionVersions'],
  ): number | undefined {
    const inputs = offerInputsText(capabilities, functionVersions);
    if (inputs === undefined) return undefined;
    let id = this.#offerIdsByInputs.get(inputs);
    if (id === undefined) {
      const json = offerJson(capabilities, functionVersions);
      if (json === undefined) return undefined;
      id = this.#offerIds.get(json);
      if (id === undefined) {
        if (this.#offerIds.size >= OFFER_CACHE_CAPACITY) {
          this.#offerIds.clear();
          this.#frozenOfferIds = new WeakMap();
        }
        id = this.#nextOfferId++;
        this.#offerIds.set(json, id);
      }
      if (this.#offerIdsByInputs.size >= OFFER_CACHE_CAPACITY) this.#offerIdsByInputs.clear();
      this.#offerIdsByInputs.set(inputs, id);
    }
    return id;
  }
}

/** The conformance layer's one handshake memo. */
export const handshakeMemo = new HandshakeMemo();

/** A snapshot of the memo counters; `clearHandshakeMemo` resets them. */
export function handshakeMemoStats(): { readonly runs: number; readonly hits: number } {
  return handshakeMemo.stats;
}

/** Forgets every memoized outcome and resets the counters (tests and benchmarks). */
export function clearHandshakeMemo(): void {
  handshakeMemo.clear();
}

/** The offer's JSON, or undefined when the offer cannot be built (the handshake path reports why). */
function offerJson(
  capabilities: readonly unknown[],
  functionVersions: HandshakeOptions['functionVersions'],
): string | undefined {
  try {
    return JSON.stringify(buildOffer(capabilities as string[], functionVersions));
  } catch (error) {
    // what the types forbid (a version list that is not iterable) fails as a TypeError; the
    // uncached handshake then reports it to the caller
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

export async function metadataFromHandshake(
  plugin: ResolvedPlugin,
  options: HandshakeOptions = {},
  memo: HandshakeMemo = handshakeMemo,
): Promise<MetadataOutcome> {
  // Read the capabilities once: a one-shot iterable must still reach the handshake intact. A
  // frozen array (every descriptor's) can neither change nor be used up, so it is taken as it is.
  const given = options.capabilities ?? plugin.capabilities;
  const capabilities: readonly string[] = Array.isArray(given) && Object.isFrozen(given) ? given : [...given];
  const key = plugin.limits.strictWallClock ? undefined : memo.keyFor(plugin, capabilities, options);
  if (key !== undefined) {
    const hit = memo.lookup(key);
    if (hit !== undefined) return hit;
  }
  let outcome: MetadataOutcome;
  try {
    memo.countRun();
    outcome = await runHandshake(plugin, { ...options, capabilities });
  } catch (error) {
    if (key !== undefined && error instanceof HandshakeError && error.kind !== 'Instantiate') {
      memo.rememberError(key, error);
    }
    throw error;
  }
  if (key !== undefined) memo.rememberOutcome(key, outcome);
  return outcome;
}

async function runHandshake(plugin: ResolvedPlugin, options: HandshakeOptions): Promise<MetadataOutcome> {
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
 * A fresh error equal to `error`: same prototype and own properties (message, the variant fields),
 * with an `Error` cause copied the same way. With `freshStack`, every error of the copy gets the
 * stack of the code calling now (the memo's caller) instead of the one of the first run.
 * Non-error values are shared as they are.
 */
function copyError<E extends Error>(error: E, freshStack: boolean, seen = new Map<object, object>()): E {
  const known = seen.get(error);
  if (known !== undefined) return known as E;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as E;
  seen.set(error, copy);
  const descriptors = Object.getOwnPropertyDescriptors(error);
  const cause = descriptors.cause;
  if (cause !== undefined && 'value' in cause && cause.value instanceof Error) {
    descriptors.cause = { ...cause, value: copyError(cause.value, freshStack, seen) };
  }
  if (freshStack) delete descriptors.stack;
  Object.defineProperties(copy, descriptors);
  // frames above the memo's lookup: the caller's own, beginning with metadataFromHandshake
  if (freshStack) Error.captureStackTrace(copy, HandshakeMemo.prototype.lookup);
  return copy;
}
