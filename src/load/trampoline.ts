/**
 * One implementation, two drivers (SES's trampoline pattern): loading and resolution are written as
 * generators that `yield` the reads they need; the async driver answers with `maybeRead`, the sync
 * driver (dynamic `require`) with `maybeReadNow`. So ESM `import` and CommonJS `require` resolve and
 * load through the same code.
 */

/** A read the generator needs: the bytes at `location`, or `undefined` when nothing is there. */
export interface ReadRequest {
  readonly read: string;
}

export type Loader<T> = Generator<ReadRequest, T, Uint8Array | undefined>;

export const runAsync = async <T>(generator: Loader<T>, maybeRead: (location: string) => Promise<Uint8Array | undefined>): Promise<T> => {
  let step = generator.next();
  while (!step.done) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await maybeRead(step.value.read);
    } catch (error) {
      step = generator.throw(error);
      continue;
    }
    step = generator.next(bytes);
  }
  return step.value;
};

export const runSync = <T>(generator: Loader<T>, maybeReadNow: (location: string) => Uint8Array | undefined): T => {
  let step = generator.next();
  while (!step.done) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = maybeReadNow(step.value.read);
    } catch (error) {
      step = generator.throw(error);
      continue;
    }
    step = generator.next(bytes);
  }
  return step.value;
};
