export {
  captureFromMap,
  hashFromMap,
  hashLocation,
  makeAndHashArchive,
  makeAndHashArchiveFromMap,
  makeArchive,
  makeArchiveFromMap,
  mapFromMap,
  mapLocation,
  writeArchive,
  writeArchiveFromMap,
  zipDigest,
  type ArchiveLocationOptions,
  type ArchiveOptions,
} from './archive.js';
export { archiveNames, captureModules, digestCapture, type Capture, type CaptureOptions, type Digest } from './capture.js';
export { functorFromCapture, nestedEvaluateSource, safeStringLiteral, makeFunctor, makeFunctorFromMap, makeScript, makeScriptFromMap, type FunctorLocationOptions, type FunctorOptions } from './functor.js';
export type { BundledModule, FunctorRuntimeOptions } from './functor-runtime.js';
export { bundleSource, type BundleSourceOptions, type BundleSourcePowers, type SourceMapDetails } from './bundle-source.js';
