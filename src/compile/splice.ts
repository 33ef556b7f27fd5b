/**
 * Splicing: the compilers never regenerate code; they record edits against the original text and
 * apply them in one pass. A source map is built from the same edits only when one is asked for.
 */
import MagicString from 'magic-string';
import remapping from '@jridgewell/remapping';
import { CordonError } from '../diagnostics/index.js';

/** A source map in the standard v3 JSON shape. */
export interface SourceMapObject {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  file?: string;
  sourcesContent?: (string | null)[];
  sourceRoot?: string;
}

export class Splicer {
  readonly #text: string;
  // Parallel arrays: [start, end) replaced by text; start === end is an insertion.
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #texts: string[] = [];
  // 0: an insertion that closes something, 1: an insertion that opens something, 2: a replacement.
  readonly #kinds: number[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  get size(): number {
    return this.#starts.length;
  }

  #push(start: number, end: number, text: string, kind: number): void {
    this.#starts.push(start);
    this.#ends.push(end);
    this.#texts.push(text);
    this.#kinds.push(kind);
  }

  replace(start: number, end: number, text: string): void {
    this.#push(start, end, text, start === end ? 1 : 2);
  }

  /** Inserts text that opens a construct (a call, a block) at `position`. */
  insert(position: number, text: string): void {
    this.#push(position, position, text, 1);
  }

  /** Inserts text that closes a construct opened by an earlier `insert`; inner ones close first. */
  insertClosing(position: number, text: string): void {
    this.#push(position, position, text, 0);
  }

  /** Whether a recorded replacement already rewrites the character at `position`. */
  covers(position: number): boolean {
    for (let i = 0; i < this.#starts.length; i += 1) {
      if (this.#starts[i]! <= position && position < this.#ends[i]!) return true;
    }
    return false;
  }

  /**
   * Edits ordered by start. At one position: closing insertions (the latest recorded first, so that
   * inner constructs close before outer ones), then opening insertions (in recorded order), then the
   * replacement that starts there.
   */
  #order(): number[] {
    const starts = this.#starts;
    const kinds = this.#kinds;
    const order = Array.from(starts.keys());
    order.sort((a, b) => {
      const d = starts[a]! - starts[b]!;
      if (d !== 0) return d;
      const ka = kinds[a]!;
      const kb = kinds[b]!;
      if (ka !== kb) return ka - kb;
      return ka === 0 ? b - a : a - b;
    });
    return order;
  }

  toString(): string {
    const order = this.#order();
    const text = this.#text;
    let out = '';
    let cursor = 0;
    for (const i of order) {
      const start = this.#starts[i]!;
      const end = this.#ends[i]!;
      if (start < cursor) {
        throw new CordonError('CORDON_INVALID_ARGUMENT', `Internal compiler error: overlapping edits at offset ${start}`);
      }
      out += text.slice(cursor, start) + this.#texts[i]!;
      cursor = end;
    }
    return out + text.slice(cursor);
  }

  /** The map from the spliced text (with `header` prepended) back to the original. */
  toSourceMap(header: string, source: string, inputMap?: SourceMapObject | string): SourceMapObject {
    const ms = new MagicString(this.#text);
    for (const i of this.#order()) {
      const start = this.#starts[i]!;
      const end = this.#ends[i]!;
      const text = this.#texts[i]!;
      if (start === end) ms.appendLeft(start, text);
      else if (text === '') ms.remove(start, end);
      else ms.overwrite(start, end, text);
    }
    ms.prepend(header);
    const map = ms.generateMap({ source, includeContent: true, hires: 'boundary' });
    const produced: SourceMapObject = JSON.parse(map.toString());
    if (inputMap === undefined) return produced;
    // Compose: our map points into the given source, whose own map points further back.
    const input = typeof inputMap === 'string' ? JSON.parse(inputMap) : inputMap;
    return JSON.parse(remapping(produced as never, (file: string) => (file === source ? input : null)).toString());
  }
}
