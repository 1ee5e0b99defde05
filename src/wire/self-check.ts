/**
 * Wire layer: the self-check request and response (PROTOCOL.md §5.1–§5.2) and their validators.
 * Status/failures consistency is the host's rule, not the wire crate's, and lives in src/host.
 */
import { IMPLEMENTED_FUNCTIONS_MAX } from './constants.js';
import { SelfCheckValidationError } from './errors.js';
import { i64, list, type Static, str, struct, unitEnum } from './schema.js';

export const SelfCheckStage = unitEnum('SelfCheckStage', [
  'request_preparation',
  'wire_function_test',
  'capability_verification',
  'response_validation',
]);
export type SelfCheckStage = Static<typeof SelfCheckStage>;

export const SelfCheckStatus = unitEnum('SelfCheckStatus', ['success', 'failure']);
export type SelfCheckStatus = Static<typeof SelfCheckStatus>;

export const SelfCheckFailure = struct('SelfCheckFailure', {
  stage: SelfCheckStage,
  message: str(),
});
export type SelfCheckFailure = Static<typeof SelfCheckFailure>;

export const SelfCheckRequest = struct('SelfCheckRequest', {
  functions_to_test: list(str()),
  /** unix seconds */
  initiated_at: i64(),
});
export type SelfCheckRequest = Static<typeof SelfCheckRequest>;

export const SelfCheckResponse = struct('SelfCheckResponse', {
  status: SelfCheckStatus,
  failures: list(SelfCheckFailure),
  /** unix seconds */
  completed_at: i64(),
});
export type SelfCheckResponse = Static<typeof SelfCheckResponse>;

/** `SelfCheckRequest::validate()`: the names in the list are not checked. */
export function validateSelfCheckRequest(request: SelfCheckRequest): void {
  if (request.functions_to_test.length === 0) throw new SelfCheckValidationError({ kind: 'EmptyRequest' });
  if (request.functions_to_test.length > IMPLEMENTED_FUNCTIONS_MAX) {
    throw new SelfCheckValidationError({ kind: 'TooManyFunctions' });
  }
  if (request.initiated_at <= 0) {
    throw new SelfCheckValidationError({ kind: 'InvalidTimestamp', reason: 'initiated_at must be positive' });
  }
}

/** `SelfCheckResponse::validate()`: the timestamp first, then the size of the failure list. */
export function validateSelfCheckResponse(response: SelfCheckResponse): void {
  if (response.completed_at <= 0) {
    throw new SelfCheckValidationError({ kind: 'InvalidTimestamp', reason: 'completed_at must be positive' });
  }
  if (response.failures.length > IMPLEMENTED_FUNCTIONS_MAX) {
    throw new SelfCheckValidationError({ kind: 'TooManyFunctions' });
  }
}
