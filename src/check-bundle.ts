export { checkBundle, checkBundleBytes, checkBundleFile } from './cli/node-bundles.js';
