/**
 * One implementation, two drivers (SES's trampoline pattern): loading and resolution are written as
 * generators that `yield` the reads they need; the async driver answers with `maybeRead`, the sync
 * driver (dynamic `require`) with `maybeReadNow`. So ESM `import` and CommonJS `require` resolve and
 * load through the same code. A generator may also `yield` a wait (something to prepare, such as the
 * TypeScript stripper, loaded on first use): the async driver awaits it, the sync driver cannot and
 * refuses with `CORDON_DYNAMIC_REQUIRE_UNAVAILABLE`.
 */
import { CordonError } from '../diagnostics/index.js';

/** A read the generator needs: the bytes at `location`, or `undefined` when nothing is there. */
export interface ReadRequest {
  readonly read: string;
}

/**
 * Something the generator needs done first (`what` names it in the sync driver's refusal); it is then
 * resumed with `undefined`. A `lazy` one only matters to the sync driver (the async one goes on at once,
 * leaving the work to whoever needs it later).
 */
export interface WaitRequest {
  readonly wait: () => Promise<unknown>;
  readonly what: string;
  readonly lazy?: boolean | undefined;
}

export type Loader<T> = Generator<ReadRequest | WaitRequest, T, Uint8Array | undefined>;

export const runAsync = async <T>(generator: Loader<T>, maybeRead: (location: string) => Promise<Uint8Array | undefined>): Promise<T> => {
  let step = generator.next();
  while (!step.done) {
    const request = step.value;
    let bytes: Uint8Array | undefined;
    try {
      if ('wait' in request) {
        if (!request.lazy) await request.wait();
      }
      else bytes = await maybeRead(request.read);
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
    const request = step.value;
    let bytes: Uint8Array | undefined;
    try {
      if ('wait' in request) {
        throw new CordonError('CORDON_DYNAMIC_REQUIRE_UNAVAILABLE', `A synchronous load (a dynamic require) cannot wait for ${request.what}; load a module that needs it through import first`);
      }
      bytes = maybeReadNow(request.read);
    } catch (error) {
      step = generator.throw(error);
      continue;
    }
    step = generator.next(bytes);
  }
  return step.value;
};
