export {
  getDebugLockdownBundle,
  getDebugLockdownBundleSHA256,
  getLockdownBundle,
  getLockdownBundleLock,
  getLockdownBundleSHA256,
  type LockdownBundle,
  type LockdownBundleLock,
} from './pack/lockdown-bundle.js';
