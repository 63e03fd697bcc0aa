import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AddReply, BatchItem, BatchResult, ShowReply } from '@herald/contracts';
import { HttpError, invalid, peerItemError, unauthenticated, validationProblem } from '../http-error.js';
import {
  Accepted,
  BatchBody,
  BatchReply,
  callBody,
  errors,
  methodParams,
  methods,
  stored,
  type Method,
  type Params,
} from '../schemas.js';
import type { Gateway, GatewayDeps, GatewayOptions } from '../server.js';
import { bearerOf } from '../auth/bearer.js';
import { ingestField, toIngestCall, type IngestCall } from '../translate.js';

const added = (reply: AddReply): Accepted => ({
  id: reply.id,
  duplicate: reply.duplicate,
  unknown_users: reply.unknownRecipients,
});
const shown = (reply: ShowReply): Accepted => ({
  id: reply.id,
  duplicate: false,
  unknown_users: reply.unknownRecipients,
});

/** The API key of the request, its key id spending the rate budget. */
function apiKeyOf(request: FastifyRequest): string {
  const key = bearerOf(request);
  if (!key) throw unauthenticated('missing "Authorization: Bearer <API key>"');
  // A digest of the whole key: only its holder can spend its budget, and the key itself is not kept.
  // Digested once a request: the route asks again after the hook.
  if (!request.rateKey?.startsWith('key:')) {
    request.rateKey = `key:${createHash('sha256').update(key).digest('base64url')}`;
  }
  return key;
}

/** The idempotency key of the body or of the `Idempotency-Key` header; both must agree. */
export function idempotencyKeyOf(request: FastifyRequest, inBody: string | undefined): string | undefined {
  const header = request.headers['idempotency-key'];
  const fromHeader = typeof header === 'string' && header !== '' ? header : undefined;
  if (fromHeader !== undefined && inBody !== undefined && fromHeader !== inBody) {
    throw invalid('idempotency_key', 'differs from the Idempotency-Key header');
  }
  if (fromHeader !== undefined && fromHeader.length > 200) {
    throw invalid('idempotency_key', 'must be at most 200 characters');
  }
  return inBody ?? fromHeader;
}

/**
 * One call to ingest; the reply the HTTP caller sees. It travels in a Batch
 * with the calls of its key that arrive with it; `bytes` bounds its size
 * (the request body's length; the body limit when unknown).
 */
export async function sendCall(
  deps: GatewayDeps,
  bearer: string,
  call: IngestCall,
  bytes = 1024 * 1024,
): Promise<Accepted> {
  const result = await deps.peers.ingestCalls.send(bearer, call, bytes);
  switch (result.$case) {
    case 'added':
      return added(result.value);
    case 'shown':
      return shown(result.value);
    case 'error':
      throw peerItemError(result.value, ingestField);
  }
}

const isMethod = (name: string): name is Method => (methods as string[]).includes(name);

/**
 * An item checked as its own call would be, by the route's own validator
 * (compiled once a method), or the error it gets; `at` prefixes its fields.
 */
function itemCall(request: FastifyRequest, item: BatchBody['items'][number], at: string): IngestCall | HttpError {
  if (!isMethod(item.method)) return invalid(`${at}.method`, `must be one of ${methods.join(', ')}`);
  const validate = request.compileValidationSchema(methodParams[item.method], 'body');
  if (!validate(item.params)) {
    const [error] = validate.errors ?? [];
    const problem = error ? validationProblem(error) : { field: '', message: 'is invalid' };
    return invalid(problem.field ? `${at}.params.${problem.field}` : `${at}.params`, problem.message);
  }
  if (item.idempotency_key !== undefined && !stored(item.method)) {
    return invalid(`${at}.idempotency_key`, 'popups are never stored: they take no idempotency key');
  }
  return toIngestCall(item.method, item.params as Params<Method>, item.users, item.idempotency_key);
}

/** ingest's field of an item, named from the top of the batch: `items[3].params.text`, `items[3].users[0]`. */
function itemField(at: string, field: string): string {
  if (field.startsWith('recipients')) return `${at}.${ingestField(field)}`;
  if (field === 'idempotency_key') return `${at}.idempotency_key`;
  return `${at}.params.${field}`;
}

function itemResult(result: BatchResult, at: string): Accepted | ReturnType<HttpError['toJSON']> {
  const r = result.result;
  if (r?.$case === 'added') return added(r.value);
  if (r?.$case === 'shown') return shown(r.value);
  const error = r?.value ?? { code: 'INTERNAL', message: 'no result', field: '' };
  const field = error.field ? itemField(at, error.field) : undefined;
  const message =
    field && error.message.startsWith(`${error.field}:`)
      ? field + error.message.slice(error.field.length)
      : error.message;
  return { error: { code: error.code, message, ...(field ? { field } : {}) } };
}

/** POST /api/v1/notifications/{method} and the batch: the seeds' calls for integrations. */
export function integrationRoutes(deps: GatewayDeps, options: GatewayOptions): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    app.addHook('onRequest', async (request) => {
      apiKeyOf(request);
    });

    for (const method of methods) {
      app.post(
        `/api/v1/notifications/${method}`,
        {
          schema: {
            tags: ['integrations'],
            summary: `APP.notifications.${method}()`,
            description: stored(method)
              ? 'Stored in each recipient’s notification center and sent on every channel they switched on.'
              : 'A popup: shown live in the interface only, never stored, never sent on another channel.',
            security: [{ apiKey: [] }],
            body: callBody(method),
            response: { 202: Accepted, ...errors(400, 401, 413, 429, 503) },
          },
        },
        async (request, reply) => {
          const {
            users,
            idempotency_key: inBody,
            ...params
          } = request.body as Params<Method> & {
            users?: string[];
            idempotency_key?: string;
          };
          const key = stored(method) ? idempotencyKeyOf(request, inBody) : undefined;
          const call = toIngestCall(method, params, users, key);
          const bytes = Number(request.headers['content-length']) || options.bodyLimitBytes;
          return reply.status(202).send(await sendCall(deps, apiKeyOf(request), call, bytes));
        },
      );
    }

    app.post(
      '/api/v1/notifications/batch',
      {
        schema: {
          tags: ['integrations'],
          summary: 'Up to 1000 calls in one request',
          description:
            'Each item is `{method, params, users?, idempotency_key?}`. The answer holds one result per item, in ' +
            'order: `{id, duplicate, unknown_users}` or `{error}`. A bad item does not refuse the others.',
          security: [{ apiKey: [] }],
          body: BatchBody,
          response: { 200: BatchReply, ...errors(400, 401, 413, 429, 503) },
        },
      },
      async (request) => {
        const apiKey = apiKeyOf(request);
        const checked = request.body.items.map((item, i) => itemCall(request, item, `items[${i}]`));
        const calls: BatchItem[] = checked.flatMap((c) => (c instanceof HttpError ? [] : [{ call: c }]));
        const reply = await deps.peers.call(
          deps.peers.ingest.batch.bind(deps.peers.ingest),
          { items: calls },
          { bearer: apiKey, deadlineMs: options.batchDeadlineMs },
        );
        let next = 0;
        const results = checked.map((c, i) =>
          c instanceof HttpError ? c.toJSON() : itemResult(reply.results[next++] ?? {}, `items[${i}]`),
        );
        return { results };
      },
    );
  };
}
