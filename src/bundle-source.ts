export { bundleSource, type NodeBundleSourcePowers } from './cli/node-bundles.js';
export { BUNDLE_FORMATS, type BundleSourceOptions, type Bundle, type BundleModuleFormat, type EndoScriptBundle, type EndoZipBase64Bundle, type GetExportBundle, type NestedEvaluateBundle } from './bundle-lite.js';
