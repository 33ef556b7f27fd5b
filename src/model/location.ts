/**
 * Locations are names: `file:///app/app.zip`, `https://example.com/app.zip`, `memory:app.zip`, a
 * bare `app.zip` or `/srv/app.zip`. Joining and resolving follow URL rules only where the location is
 * a hierarchical URL (a special scheme such as `file:` or `https:`, or `scheme:/…`); every other
 * location is treated as a path by string rules, so an opaque scheme never meets the URL parser
 * (where `new URL('./x', 'memory:app.zip')` throws "Invalid URL"). See docs/locations.md.
 */

// Two letters at least: `C:` is a drive, not a scheme.
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;
const SPECIAL_SCHEMES = new Set(['file:', 'http:', 'https:', 'ws:', 'wss:', 'ftp:']);

/** The scheme of a location with its colon (`memory:`), or `''` for a bare name. */
export const schemeOf = (location: string): string => SCHEME.exec(location)?.[0].toLowerCase() ?? '';

/** Whether the URL parser gives the location a hierarchical path: a special scheme, or `scheme:/…`. */
export const isHierarchicalUrl = (location: string): boolean => {
  const scheme = schemeOf(location);
  if (scheme === '') return false;
  if (SPECIAL_SCHEMES.has(scheme)) return true;
  return location.charAt(scheme.length) === '/';
};

// What the URL parser escapes in a path segment, and `%`, `#` and `?` (which would read as syntax).
const URL_ESCAPED = /[\u0000-\u0020"#%<>?`{}\u007f-\uffff]/gu;
const NEEDS_ESCAPE = /[\u0000-\u0020"#%<>?`{}\u007f-\uffff]/u;

/** A relative path as a hierarchical URL holds it: each character the URL parser would escape, escaped (`/` kept). */
export const escapeUrlPath = (path: string): string => (NEEDS_ESCAPE.test(path) ? path.replace(URL_ESCAPED, c => encodeURIComponent(c)) : path);

/**
 * `base/path`: the base without its trailing slashes, a slash, then `path` (a relative path of plain
 * segments, as an archive holds them). Under a hierarchical URL each segment is escaped as the URL
 * parser would (`a b.js` → `a%20b.js`, `#` → `%23`), so the result is the URL of that file.
 */
export const joinLocation = (base: string, path: string): string => {
  const trimmed = base.replace(/\/+$/, '');
  const head = trimmed === '' && base.startsWith('/') ? '' : trimmed;
  return `${head}/${isHierarchicalUrl(base) ? escapeUrlPath(path) : path}`;
};

/**
 * Splits a non-hierarchical location into the part no `..` climbs above (`memory:`, `/`, or `''` for a
 * relative name) and its segments.
 */
const splitRoot = (location: string): { root: string; segments: string[]; relative: boolean } => {
  const scheme = schemeOf(location);
  let rest = location.slice(scheme.length);
  let root = scheme;
  if (rest.startsWith('/')) {
    root += '/';
    rest = rest.replace(/^\/+/, '');
  }
  return { root, segments: rest === '' ? [] : rest.split('/'), relative: root === '' };
};

/** Applies `.` and `..` segments; in a relative name, `..` that climbs above its start is kept (as `path.posix.normalize`). */
const normalizeSegments = (segments: readonly string[], relative: boolean): string[] => {
  const out: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.' || (segment === '' && !last)) return;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (relative) out.push('..');
      if (last) out.push('');
      return;
    }
    out.push(segment);
  });
  return out;
};

const parsedOr = (reference: string, base?: string): string => {
  try {
    return new URL(reference, base).href;
  } catch {
    return reference;
  }
};

/**
 * Resolves `reference` against `base`, as `new URL(reference, base).href` would where `base` is a
 * hierarchical URL; otherwise by string rules: a reference with a scheme stands alone, one starting with
 * `/` replaces the path after the base's scheme, any other replaces the base's last segment, and `.` and
 * `..` are applied (never above the base's scheme or root; kept at the front of a relative name).
 */
export const resolveLocation = (reference: string, base: string): string => {
  if (schemeOf(reference) !== '') return isHierarchicalUrl(reference) ? parsedOr(reference) : reference;
  if (isHierarchicalUrl(base)) return parsedOr(reference, base);
  const { root, segments, relative } = splitRoot(base);
  const joined = reference.startsWith('/') ? reference.replace(/^\/+/, '').split('/') : [...segments.slice(0, -1), ...reference.split('/')];
  const rooted = reference.startsWith('/') ? schemeOf(base) + '/' : root;
  const normalized = normalizeSegments(joined, relative && !reference.startsWith('/'));
  return `${rooted}${normalized.join('/')}` || '.';
};

/** The directory of a location, without a trailing slash (`memory:app.zip/pkg/a.js` → `memory:app.zip/pkg`); `.` for a bare file name. */
export const dirnameOfLocation = (location: string): string => {
  const withoutSlash = location.length > 1 ? location.replace(/\/+$/, '') : location;
  const cut = withoutSlash.lastIndexOf('/');
  if (cut < 0) {
    const scheme = schemeOf(withoutSlash);
    return scheme !== '' ? scheme : '.';
  }
  if (cut === 0) return '/';
  const head = withoutSlash.slice(0, cut);
  // A root keeps its slash: `file:///a.js` → `file:///`, `memory:/a.js` → `memory:/`.
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:\/*$/.test(head) ? `${head}/` : head;
};
