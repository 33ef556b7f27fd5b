export { bundleTestExports, importBundle, wrapInescapableCompartment, type ImportBundleOptions, type ImportBundlePowers, type SourceTransform } from './unpack/index.js';
export type { Bundle, EndoScriptBundle, EndoZipBase64Bundle, GetExportBundle, NestedEvaluateBundle, TestBundle } from './model/index.js';
