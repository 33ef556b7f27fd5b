/**
 * `file:` URLs ↔ paths, computed without the host (POSIX, and Windows drive forms). For the memory
 * powers and for messages; the node powers use Node's own `url` module.
 */
const PLAIN_FILE_URL = /^file:\/\/\/(?![A-Za-z]:)[\w./@+~-]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

export const pathOfFileUrl = (location: string): string | undefined => {
  if (!location.startsWith('file:')) return undefined;
  // The common case needs no URL parser: a plain absolute path, nothing escaped, no dot segments.
  if (PLAIN_FILE_URL.test(location) && !DOT_SEGMENT.test(location)) return location.slice(7);
  try {
    const path = decodeURIComponent(new URL(location).pathname);
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1).replace(/\//g, '\\') : path;
  } catch {
    return undefined;
  }
};

/** As Node's `pathToFileURL`: the characters a URL would read as syntax are escaped, the rest left to the URL parser. */
export const fileUrlOfPath = (path: string): string => {
  const posix = /^[A-Za-z]:[\\/]/.test(path) ? `/${path.replace(/\\/g, '/')}` : path;
  const escaped = posix.replace(/[%\\\n\r\t#?]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return new URL(`file://${escaped}`).href;
};

/** The directory part of a path (`/a/b.js` → `/a`), for `__dirname`. */
export const dirnameOfPath = (path: string): string => {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? path.slice(0, cut + 1) || '.' : path.slice(0, cut);
};
