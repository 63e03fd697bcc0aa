/**
 * Whether a link from an integration may become a link: an absolute http(s)
 * URL, or a path inside the CRM (`/contacts/list/?term=…`). Anything else
 * (`javascript:`, `data:`, protocol-relative `//host`) is shown as text.
 * The same rule as ingest's, which refuses the rest.
 */
export function isSafeLink(value: string): boolean {
  if (value.startsWith('/')) return !value.startsWith('//') && !/[\s\\]/.test(value);
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The href for a safe link (a CRM path resolved against `crmBase` when given), or undefined. */
export function safeHref(value: string | null | undefined, crmBase?: string): string | undefined {
  if (!value || !isSafeLink(value)) return undefined;
  if (value.startsWith('/') && crmBase) return new URL(value, crmBase).href;
  return value;
}
