// One document, one source: the forms of a URL that name the same document fold to one canonical form,
// which the write layer matches sources by (`Source.canonicalUrl`). Measured on the default seeds before
// this rule: 137 documents stored twice (http and https, with and without www., a trailing slash).
// Pure functions: test/unit/source-urls.test.ts tests them.

/**
 * Query parameters that track a reader, not select a document (Google Analytics' utm_*, click ids of
 * Facebook, Google, Microsoft and Mailchimp's campaign ids).
 */
const trackingParameter = /^(utm_[a-z]+|fbclid|gclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|hsctatracking)$/i;

/** The Wayback Machine's address of a copy: web.archive.org/web/<timestamp>[id_]/<original URL>. */
const archived = /^https?:\/\/web\.archive\.org\/web\/\d{1,14}[a-z_]*\/(.+)$/i;

/** The address an archived copy keeps (the document's own), else the URL itself. */
export function originalUrl(url: string) {
  const m = archived.exec(url.trim());
  if (!m) return url.trim();
  return /^https?:\/\//i.test(m[1]) ? m[1] : `http://${m[1]}`;
}

/**
 * The canonical form: no scheme, host in lower case without `www.` and default port, no fragment, no
 * tracking parameters, no trailing slash. An archived copy stands for the document it copies. A text
 * that is not a URL is kept as it is (trimmed).
 */
export function canonicalUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(originalUrl(url));
  } catch {
    return url.trim();
  }
  const host = parsed.hostname.toLowerCase().replace(/^www\d?\./, '');
  const port = parsed.port && !['80', '443'].includes(parsed.port) ? `:${parsed.port}` : '';
  const kept = [...parsed.searchParams].filter(([name]) => !trackingParameter.test(name));
  const query = kept.length ? `?${new URLSearchParams(kept).toString()}` : '';
  // "/" stays before a query ("clearskysec.com/?p=3579"), so that a host is always followed by "/" or ":".
  const path = parsed.pathname.replace(/\/+$/, '') || (query ? '/' : '');
  return `${host}${port}${path}${query}`;
}

/** The host that published a URL (of the original, for an archived copy), lower case, without `www.`. */
export function hostOf(url: string): string | null {
  try {
    return new URL(originalUrl(url)).hostname.toLowerCase().replace(/^www\d?\./, '');
  } catch {
    return null;
  }
}

/**
 * The publication date a URL's path states as blogs' permalinks do (`/2020/11/05/title`, `/2020/11/`):
 * year and month, and the day when a third number follows. Only a year 1990-2099 followed by a month
 * 01-12 counts (a lone year is often a report's subject, not its date).
 */
export function dateInUrl(url: string): { publishedOn: string; precision: 'DAY' | 'MONTH' } | null {
  const m = /\/((?:19|20)\d{2})\/(0[1-9]|1[0-2])\/(?:(0[1-9]|[12]\d|3[01])\/)?/.exec(originalUrl(url));
  if (!m || Number(m[1]) < 1990) return null;
  return m[3]
    ? { publishedOn: `${m[1]}-${m[2]}-${m[3]}`, precision: 'DAY' }
    : { publishedOn: `${m[1]}-${m[2]}-01`, precision: 'MONTH' };
}

/** The title an import gives a document it knows only by its URL (a MISP `refs` entry): the URL, shortened. */
export const titleFromUrl = (url: string) => url.replace(/^https?:\/\/(www\.)?/, '').slice(0, 200);
