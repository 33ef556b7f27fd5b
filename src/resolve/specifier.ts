/** Kinds of module specifiers and the path arithmetic the resolver needs (pure; `/`-separated). */

export type SpecifierKind = 'relative' | 'absolute' | 'url' | 'hash' | 'bare';

export const specifierKind = (specifier: string): SpecifierKind => {
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) return 'relative';
  if (specifier.startsWith('/')) return 'absolute';
  if (specifier.startsWith('#')) return 'hash';
  // A scheme (node:fs, file:///…, host:thing) makes a URL; a Windows drive letter is not one.
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier) && !/^[a-zA-Z]:[\\/]/.test(specifier)) return 'url';
  return 'bare';
};

/** `@scope/name/sub/path` → `{ name: '@scope/name', subpath: './sub/path' }`; `undefined` if not a valid name. */
export const splitPackageSpecifier = (specifier: string): { name: string; subpath: string } | undefined => {
  const segments = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  if (segments.length < count || segments.slice(0, count).some(s => s === '')) return undefined;
  const name = segments.slice(0, count).join('/');
  if (name.startsWith('.') || name.includes('\\') || name.includes('%')) return undefined;
  const rest = segments.slice(count).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
};

/** Joins a relative specifier to the module path (`./a/b.js`) it is relative to; `undefined` if it leaves the root. */
export const joinRelative = (referrer: string, specifier: string): string | undefined => {
  const parts = referrer.split('/');
  parts.pop();
  for (const segment of specifier.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length <= 1) return undefined;
      parts.pop();
    } else {
      parts.push(segment);
    }
  }
  const joined = parts.join('/');
  const withDot = joined.startsWith('.') ? joined : `./${joined}`;
  return specifier.endsWith('/') && !withDot.endsWith('/') ? `${withDot}/` : withDot === '.' ? './' : withDot;
};

/** `./dist/x.js` (from a package.json field, maybe without `./`) in the normal `./` form. */
export const normalizeModulePath = (path: string): string => {
  const trimmed = path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return trimmed === '' || trimmed === '.' ? '.' : `./${trimmed}`;
};
