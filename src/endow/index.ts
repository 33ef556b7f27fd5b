export { makeExitModuleSource } from './exits.js';
export { makeCompartmentError } from './v8-errors.js';
export { makeOwnFunction, makeOwnSymbol } from './own-globals.js';
export { moduleExportsOfHostNamespace } from './exits.js';
export { holdsFunction, makeExportsGuard, makePrivateOverlay, makeMemberView, makePrivateCopy, makeSharedGlobalCells, type SharedGlobalCells } from './attenuate.js';
