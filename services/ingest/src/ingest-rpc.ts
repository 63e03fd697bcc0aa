import {
  NotificationIngestService,
  type BatchItem,
  type BatchResult,
  type NotificationIngestServer,
} from '@herald/contracts';
import { HeraldError, InvalidArgumentError } from '@herald/errors';
import { bearerToken, unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { BatchCall, BatchOutcome, Ingest } from './ingest.js';
import {
  acceptAddCall,
  acceptAddError,
  acceptAddEvent,
  acceptShowMessage,
  acceptShowMessageError,
  acceptShowNotification,
  limits,
} from './validate.js';

const name = 'herald.v1.NotificationIngest';

/** One item of a batch, validated as its own call would be; a refusal stays with its item. */
function acceptItem(item: BatchItem): BatchCall | HeraldError {
  try {
    const call = item.call;
    switch (call?.$case) {
      case 'addError': {
        const accepted = acceptAddError(call.value);
        return { kind: 'add', accepted: { ...accepted, body: { $case: 'error', value: accepted.body } } };
      }
      case 'addCall': {
        const accepted = acceptAddCall(call.value);
        return { kind: 'add', accepted: { ...accepted, body: { $case: 'call', value: accepted.body } } };
      }
      case 'addEvent': {
        const accepted = acceptAddEvent(call.value);
        return { kind: 'add', accepted: { ...accepted, body: { $case: 'event', value: accepted.body } } };
      }
      case 'showMessage':
        return { kind: 'show', accepted: acceptShowMessage(call.value) };
      case 'showMessageError':
        return { kind: 'show', accepted: acceptShowMessageError(call.value) };
      case 'showNotification':
        return { kind: 'show', accepted: acceptShowNotification(call.value) };
      case undefined:
        return new InvalidArgumentError('call', 'is required: one of add_error, add_call, add_event, show_*');
    }
  } catch (err) {
    if (err instanceof HeraldError) return err;
    throw err;
  }
}

function toResult(outcome: BatchOutcome): BatchResult {
  switch (outcome.kind) {
    case 'added':
      return { result: { $case: 'added', value: outcome.reply } };
    case 'shown':
      return { result: { $case: 'shown', value: outcome.reply } };
    case 'refused': {
      const { error } = outcome;
      const field = error instanceof InvalidArgumentError ? error.field : '';
      return { result: { $case: 'error', value: { code: error.code, message: error.message, field } } };
    }
  }
}

export function ingestRpc(ingest: Ingest, logger: Logger): RpcService {
  const implementation: NotificationIngestServer = {
    addError: unary(`${name}/AddError`, logger, (request, call) =>
      ingest.add(bearerToken(call.metadata), acceptAddError(request), (value) => ({ $case: 'error', value })),
    ),
    addCall: unary(`${name}/AddCall`, logger, (request, call) =>
      ingest.add(bearerToken(call.metadata), acceptAddCall(request), (value) => ({ $case: 'call', value })),
    ),
    addEvent: unary(`${name}/AddEvent`, logger, (request, call) =>
      ingest.add(bearerToken(call.metadata), acceptAddEvent(request), (value) => ({ $case: 'event', value })),
    ),
    showMessage: unary(`${name}/ShowMessage`, logger, (request, call) =>
      ingest.show(bearerToken(call.metadata), acceptShowMessage(request)),
    ),
    showMessageError: unary(`${name}/ShowMessageError`, logger, (request, call) =>
      ingest.show(bearerToken(call.metadata), acceptShowMessageError(request)),
    ),
    showNotification: unary(`${name}/ShowNotification`, logger, (request, call) =>
      ingest.show(bearerToken(call.metadata), acceptShowNotification(request)),
    ),
    batch: unary(`${name}/Batch`, logger, async (request, call) => {
      const apiKey = bearerToken(call.metadata);
      if (request.items.length > limits.batchItems) {
        throw new InvalidArgumentError('items', `at most ${limits.batchItems} items in one batch`);
      }
      const outcomes = await ingest.batch(apiKey, request.items.map(acceptItem), logger);
      return { results: outcomes.map(toResult) };
    }),
  };
  return {
    name,
    definition: NotificationIngestService,
    implementation,
  };
}
