import { NotificationIngestService, type NotificationIngestServer } from '@herald/contracts';
import { bearerToken, unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { Ingest } from './ingest.js';
import {
  acceptAddCall,
  acceptAddError,
  acceptAddEvent,
  acceptShowMessage,
  acceptShowMessageError,
  acceptShowNotification,
} from './validate.js';

const name = 'herald.v1.NotificationIngest';

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
  };
  return {
    name,
    definition: NotificationIngestService,
    implementation,
  };
}
