/**
 * `file:` URLs ↔ paths, computed without the host (POSIX, and Windows drive forms). For the memory
 * powers and for messages; the node powers use Node's own `url` module.
 */
export const pathOfFileUrl = (location: string): string | undefined => {
  if (!location.startsWith('file:')) return undefined;
  try {
    const path = decodeURIComponent(new URL(location).pathname);
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1).replace(/\//g, '\\') : path;
  } catch {
    return undefined;
  }
};

export const fileUrlOfPath = (path: string): string => {
  const posix = /^[A-Za-z]:[\\/]/.test(path) ? `/${path.replace(/\\/g, '/')}` : path;
  return new URL(`file://${posix.split('/').map(encodeURIComponent).join('/').replace(/%3A/gi, ':')}`).href;
};

/** The directory part of a path (`/a/b.js` → `/a`), for `__dirname`. */
export const dirnameOfPath = (path: string): string => {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? path.slice(0, cut + 1) || '.' : path.slice(0, cut);
};
