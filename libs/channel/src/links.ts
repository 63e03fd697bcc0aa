/** Longest link made into a link: what ingest accepts. */
const maxLinkLength = 2048;

/**
 * The absolute URL a link from an integration may become, or undefined when
 * it must stay text. Only http(s) URLs and CRM-relative paths (`/…`, resolved
 * under `crmBaseUrl`) qualify; `javascript:`, `data:`, protocol-relative
 * `//host` and anything unparsable do not.
 */
export function safeLink(link: string, crmBaseUrl: string): string | undefined {
  const trimmed = link.trim();
  if (trimmed === '' || trimmed.length > maxLinkLength) return undefined;
  if (trimmed.startsWith('/')) {
    if (trimmed.startsWith('//') || trimmed.startsWith('/\\')) return undefined;
    const base = parsed(crmBaseUrl);
    if (!base) return undefined;
    // Joined rather than resolved, so a base with a path (https://host/crm) keeps it.
    const joined = parsed(`${base.origin}${base.pathname.replace(/\/+$/, '')}${trimmed}`);
    return joined && joined.origin === base.origin ? joined.href : undefined;
  }
  return parsed(trimmed)?.href;
}

function parsed(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}
