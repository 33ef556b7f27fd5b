// Bundles without Node: bundleSource over given powers, importBundle, checkBundle with a given computeSha512 (Endo's check-bundle/lite.js), the bundle validator.
export { bundleSource, type BundleSourceOptions, type BundleSourcePowers, type SourceMapDetails } from './pack/index.js';
export { bundleTestExports, checkBundle, importBundle, wrapInescapableCompartment, type ImportBundleOptions, type ImportBundlePowers, type SourceTransform } from './unpack/index.js';
export { BUNDLE_FORMATS, decodeBase64, encodeBase64, validateBundle } from './model/index.js';
export type { Bundle, BundleLimits, BundleModuleFormat, EndoScriptBundle, EndoZipBase64Bundle, GetExportBundle, NestedEvaluateBundle, TestBundle } from './model/index.js';
