import { z } from 'zod';
import {
  ElementType,
  PopupType,
  idPattern,
  type AddCallRequest,
  type AddErrorRequest,
  type AddEventRequest,
  type CallNotice,
  type ErrorNotice,
  type EventNotice,
  type ShowMessageErrorRequest,
  type ShowMessageRequest,
  type ShowNotificationRequest,
} from '@herald/contracts';
import { boundedString, parseInput } from '@herald/errors';

/** Limits on what an integration may send; text beyond them is refused, never cut. */
export const limits = {
  header: 255,
  text: 4_000,
  link: 2_048,
  name: 255,
  idempotencyKey: 200,
  recipients: 1_000,
  batchItems: 1_000,
  /** 9999-12-31T23:59:59Z in Unix seconds. */
  maxDate: 253_402_300_799,
} as const;

const text = (max: number) => boundedString(max).refine((value) => value.trim().length > 0, 'must not be empty');

const optionalText = (max: number) => boundedString(max).optional();

function isLink(value: string): boolean {
  // A path inside the CRM ("/contacts/list/?term=...") or an absolute http(s) URL.
  if (value.startsWith('/')) return !value.startsWith('//') && !/[\s\\]/.test(value);
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const link = boundedString(limits.link).refine(isLink, 'must be an http(s) URL or a path starting with /').optional();

const httpUrl = boundedString(limits.link)
  .refine((value) => value.startsWith('http') && isLink(value), 'must be an http(s) URL')
  .optional();

const date = z
  .number()
  .int('must be whole seconds')
  .min(0, 'must be a Unix timestamp in seconds')
  .max(limits.maxDate, 'must be a Unix timestamp in seconds')
  .optional();

const recipients = z
  .array(boundedString(64, 'must be a user id').regex(idPattern, 'must be a user id (letters, digits, _ and -)'))
  .max(limits.recipients, { message: `at most ${limits.recipients} recipients`, abort: true });

const idempotencyKey = boundedString(limits.idempotencyKey).min(1, 'must not be empty').optional();

const addError = z.object({
  header: optionalText(limits.header),
  text: text(limits.text),
  date,
  link,
  recipients,
  idempotencyKey,
});

const elementTypes = {
  contact: ElementType.ELEMENT_TYPE_CONTACT,
  lead: ElementType.ELEMENT_TYPE_LEAD,
  company: ElementType.ELEMENT_TYPE_COMPANY,
} as const;

const addCall = z.object({
  text: text(limits.text),
  date,
  from: optionalText(limits.name),
  to: optionalText(limits.name),
  element: z
    .object({
      id: z.number().int().positive('must be a positive entity id'),
      type: z.enum(['contact', 'lead', 'company'], 'must be contact, lead or company'),
    })
    .optional(),
  duration: z.number().int().min(0).max(86_400, 'must be at most 86400 seconds').optional(),
  link,
  recipients,
  idempotencyKey,
});

const userId = boundedString(64, 'must be a user id').regex(idPattern, 'must be a user id');

const addEvent = z.object({
  header: optionalText(limits.header),
  text: text(limits.text),
  date,
  link,
  task: z
    .object({
      id: boundedString(limits.name).min(1, 'must not be empty'),
      createdBy: userId,
      responsible: userId,
      minutesBefore: z
        .number()
        .refine((m) => [5, 15, 30, 60].includes(m), 'must be 5, 15, 30 or 60')
        .optional(),
    })
    .optional(),
  recipients,
  idempotencyKey,
});

const showMessage = z.object({
  header: text(limits.header),
  text: text(limits.text),
  date,
  icon: httpUrl,
  recipients,
});

const showMessageError = z.object({
  header: text(limits.header),
  text: text(limits.text),
  date,
  link,
  recipients,
});

const showNotification = z.object({
  text: z.object({ header: text(limits.header), text: text(limits.text) }, 'is required: {header, text}'),
  date,
  type: z.enum(['call', 'error'], 'must be call or error'),
  recipients,
});

/** What every stored kind shares, once validated. */
export interface Accepted<B> {
  body: B;
  date: number | undefined;
  recipients: string[];
  idempotencyKey: string | undefined;
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

export function acceptAddError(request: AddErrorRequest): Accepted<ErrorNotice> {
  const r = parseInput(addError, request);
  return {
    body: { header: r.header ?? '', text: r.text, link: r.link ?? '' },
    date: r.date,
    recipients: unique(r.recipients),
    idempotencyKey: r.idempotencyKey,
  };
}

export function acceptAddCall(request: AddCallRequest): Accepted<CallNotice> {
  const r = parseInput(addCall, request);
  return {
    body: {
      text: r.text,
      from: r.from ?? '',
      to: r.to ?? '',
      element: r.element ? { id: r.element.id, type: elementTypes[r.element.type] } : undefined,
      duration: r.duration ?? 0,
      link: r.link ?? '',
    },
    date: r.date,
    recipients: unique(r.recipients),
    idempotencyKey: r.idempotencyKey,
  };
}

export function acceptAddEvent(request: AddEventRequest): Accepted<EventNotice> {
  const r = parseInput(addEvent, request);
  return {
    body: {
      header: r.header ?? '',
      text: r.text,
      link: r.link ?? '',
      task: r.task
        ? {
            id: r.task.id,
            createdBy: r.task.createdBy,
            responsible: r.task.responsible,
            minutesBefore: r.task.minutesBefore ?? 0,
          }
        : undefined,
    },
    date: r.date,
    recipients: unique(r.recipients),
    idempotencyKey: r.idempotencyKey,
  };
}

export type PopupBody =
  | { $case: 'message'; value: { header: string; text: string; icon: string } }
  | { $case: 'messageError'; value: { header: string; text: string; link: string } }
  | { $case: 'notification'; value: { type: PopupType; header: string; text: string } };

export interface AcceptedPopup {
  kind: PopupBody;
  date: number | undefined;
  recipients: string[];
}

export function acceptShowMessage(request: ShowMessageRequest): AcceptedPopup {
  const r = parseInput(showMessage, request);
  return {
    kind: { $case: 'message', value: { header: r.header, text: r.text, icon: r.icon ?? '' } },
    date: r.date,
    recipients: unique(r.recipients),
  };
}

export function acceptShowMessageError(request: ShowMessageErrorRequest): AcceptedPopup {
  const r = parseInput(showMessageError, request);
  return {
    kind: { $case: 'messageError', value: { header: r.header, text: r.text, link: r.link ?? '' } },
    date: r.date,
    recipients: unique(r.recipients),
  };
}

export function acceptShowNotification(request: ShowNotificationRequest): AcceptedPopup {
  const r = parseInput(showNotification, request);
  const type = r.type === 'call' ? PopupType.POPUP_TYPE_CALL : PopupType.POPUP_TYPE_ERROR;
  return {
    kind: { $case: 'notification', value: { type, header: r.text.header, text: r.text.text } },
    date: r.date,
    recipients: unique(r.recipients),
  };
}
