export {
  findCompartmentConstructor,
  link,
  makeExitProvider,
  type CompartmentConstructor,
  type CompartmentInstance,
  type ImportHook,
  type ImportNowHook,
  type LinkedApplication,
  type LinkOptions,
  type ModuleDescriptor,
} from './link.js';
