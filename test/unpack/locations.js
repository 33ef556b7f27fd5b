// The kinds of archive location every archive test runs with: a `file:` URL, an opaque `memory:` name,
// a bare name, and an `https:` URL. What a module's location, `import.meta.url`, `__filename` and
// `__dirname` are at each (docs/locations.md), written out here rather than computed by the code under
// test.
import url from 'node:url';

export const LOCATIONS = [
  { kind: 'file: URL', location: 'file:///archives/app.zip', isFile: true },
  { kind: 'memory: name', location: 'memory:app.zip', isFile: false },
  { kind: 'bare name', location: 'app.zip', isFile: false },
  { kind: 'https: URL', location: 'https://example.com/archives/app.zip', isFile: false },
];

/** `<archive location>/<compartment>/<path>`: a module's location, its import.meta.url and sourceURL. */
export const moduleLocation = (location, compartment, path) => `${location}/${compartment}/${path}`;

/** `__filename`: the path of a `file:` location, else the location itself. */
export const moduleFilename = (location, compartment, path) => {
  const at = moduleLocation(location, compartment, path);
  return at.startsWith('file:') ? url.fileURLToPath(at) : at;
};

/** `__dirname`: the directory of `__filename`, without its slash. */
export const moduleDirname = (location, compartment, path) => {
  const filename = moduleFilename(location, compartment, path);
  return filename.slice(0, filename.lastIndexOf('/'));
};

/**
 * Read and write powers over `readPowers` that also hold archives by location, any string: what
 * `writeArchive` writes, `loadArchive` and `importArchive` read back.
 */
export const archivePowers = readPowers => {
  const archives = new Map();
  const read = async location => (archives.has(location) ? archives.get(location) : readPowers.read(location));
  return {
    archives,
    read: { ...readPowers, read, maybeRead: async location => (archives.has(location) ? archives.get(location) : readPowers.maybeRead?.(location)) },
    write: { write: async (location, bytes) => void archives.set(location, new Uint8Array(bytes)) },
  };
};
