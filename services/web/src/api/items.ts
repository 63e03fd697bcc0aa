import type { CenterItem, ElementType, Kind, ProviderRef } from './types.js';

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function elementOf(value: unknown): { id: number; type: ElementType } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, type } = value as { id?: unknown; type?: unknown };
  if (typeof id !== 'number' || (type !== 'contact' && type !== 'lead' && type !== 'company')) return null;
  return { id, type };
}

/** An item of `GET /api/v1/me/notifications`: its call's fields under `content`. */
export interface RestItem {
  id: string;
  kind: Kind;
  provider: ProviderRef & { kind?: string };
  occurred_at: string;
  read: boolean;
  read_at?: string;
  content: Record<string, unknown>;
}

export function fromRest(item: RestItem): CenterItem {
  const c = item.content;
  return {
    id: item.id,
    kind: item.kind,
    provider: { id: item.provider.id, name: item.provider.name, icon_url: str(item.provider.icon_url) },
    header: str(c['header']) ?? '',
    text: str(c['text']) ?? '',
    link: str(c['link']),
    date: item.occurred_at,
    read: item.read,
    call:
      item.kind === 'call'
        ? { from: str(c['from']), to: str(c['to']), duration: num(c['duration']), element: elementOf(c['element']) }
        : null,
  };
}

/** An `item` frame of the live feed. */
export interface LiveItem {
  id: string;
  provider: ProviderRef;
  kind: Kind;
  header: string;
  text: string;
  link: string | null;
  date: string;
  read_at: string | null;
  call: { from: string | null; to: string | null; duration: number | null; element: unknown } | null;
}

export function fromLive(item: LiveItem): CenterItem {
  return {
    id: item.id,
    kind: item.kind,
    provider: { id: item.provider.id, name: item.provider.name, icon_url: str(item.provider.icon_url) },
    header: item.header,
    text: item.text,
    link: str(item.link),
    date: item.date,
    read: item.read_at !== null,
    call: item.call
      ? {
          from: str(item.call.from),
          to: str(item.call.to),
          duration: num(item.call.duration),
          element: elementOf(item.call.element),
        }
      : null,
  };
}
