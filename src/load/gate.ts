/**
 * The policy's check of one resolution, as the loader makes it: where the specifier is (the file, and
 * for a static import that is denied, its line and column in the source, for the message).
 */
import type { LoaderOptions, GateWhere } from './options.js';
import type { Resolution } from './resolve-specifier.js';
import type { CompartmentState } from './targets.js';

const decoder = new TextDecoder();

/** Line (1-based) and column of the first quoted occurrence of `specifier` in `text`. */
const locate = (text: string, specifier: string): { line?: number; column?: number } => {
  for (const quote of ["'", '"', '`']) {
    const index = text.indexOf(`${quote}${specifier}${quote}`);
    if (index < 0) continue;
    let line = 1;
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
      line += 1;
      start = i + 1;
    }
    return { line, column: index - start };
  }
  return {};
};

/**
 * The policy's check (nothing without a policy). The where is worked out only when the gate reads it,
 * which it does for a denial: the file, and for a static import (`bytes`) the line of the specifier.
 */
export const gateResolution = (
  gate: LoaderOptions['gate'],
  state: CompartmentState,
  referrer: string,
  specifier: string,
  resolution: Resolution,
  bytes?: Uint8Array,
): void => {
  if (!gate) return;
  let found: { line?: number; column?: number } | undefined;
  const position = () => (found ??= bytes === undefined ? {} : locate(decoder.decode(bytes), specifier));
  const where: GateWhere = {
    specifier,
    get file() {
      return new URL(referrer, state.descriptor.location).href;
    },
    get line() {
      return position().line;
    },
    get column() {
      return position().column;
    },
  };
  gate(state.descriptor, resolution, where);
};
