/**
 * Conformance layer: `selfCheck.run` — the host self-check (runtime 0.1.0 semantics: all seven
 * wire functions are requested unless the caller names others) with the host's errors folded into
 * the five conformance `SelfCheckError` kinds (PROTOCOL.md §8.3).
 */
import { UnsupportedFeatureError } from '../engine/index.js';
import { wallClockWarning } from '../engine/plugin.js';
import { executeSelfCheck, type SelfCheckExecution, SelfCheckExecutionError } from '../host/index.js';
import { SelfCheckError } from './errors.js';
import { engineLimits, type PluginSource, resolvePlugin } from './plugin-under-test.js';
import { attachWarnings, type SelfCheckReport } from './reports.js';

export interface SelfCheckOptions {
  /** the request's `functions_to_test`; default: the seven wire functions in reference order */
  functionsToTest?: string[];
}

async function run(source: PluginSource, options: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const plugin = resolvePlugin(source);
  let execution: SelfCheckExecution;
  try {
    execution = await executeSelfCheck(plugin.wasm, {
      ...engineLimits(plugin.limits),
      ...(options.functionsToTest === undefined ? {} : { functionsToTest: options.functionsToTest }),
    });
  } catch (error) {
    if (error instanceof SelfCheckExecutionError) throw hostToSelfCheckError(error);
    throw error;
  }
  const { response } = execution;
  const report: SelfCheckReport = {
    status: response.status === 'success' ? 'Success' : 'Failure',
    // The reference reports the failure's stage where a function name would go, with version 0.
    failures: response.failures.map((failure) => ({
      function: failure.stage,
      version: 0,
      reason: failure.message,
    })),
    fuelConsumed: execution.fuelConsumed,
  };
  return attachWarnings(report, [wallClockWarning(execution.durationMs, plugin.limits.wallMs)]);
}

export const selfCheck = Object.freeze({ run });

export function hostToSelfCheckError(error: SelfCheckExecutionError): SelfCheckError {
  switch (error.kind) {
    case 'Instantiate':
      if (error.cause instanceof UnsupportedFeatureError) {
        const { feature, reason } = error.cause;
        return new SelfCheckError({ kind: 'UnsupportedFeature', feature, reason }, error);
      }
      return new SelfCheckError({ kind: 'Instantiate', reason: error.reason as string }, error);
    case 'MissingSelfCheckExport':
      return new SelfCheckError({ kind: 'MissingExport' }, error);
    case 'Call':
      return new SelfCheckError({ kind: 'WasmTrap', reason: error.reason as string }, error);
    case 'FailureStatus':
      return new SelfCheckError({ kind: 'FailureStatus' }, error);
    default:
      // Validation, SerializeRequest, OutputTooLarge, DecodeResponse, SuccessWithFailures,
      // FailureWithoutFailures, Clock: the whole host message becomes the reason.
      return new SelfCheckError({ kind: 'Output', reason: error.message }, error);
  }
}
