/**
 * Loaded into a guest with `--import` only where the host cannot read the guest's usage from /proc:
 * starts a worker thread (so that a busy loop of the application does not stop the reports) that
 * writes the process's CPU time and resident memory, one JSON line per sample, to the pipe the host
 * gave it (`CORDON_SANDBOX_REPORT_FD`). Runs before Cordon and the application; the worker does not
 * keep the guest alive.
 */
import { isMainThread, Worker } from 'node:worker_threads';

const fd = Number(process.env['CORDON_SANDBOX_REPORT_FD']);
const intervalMs = Number(process.env['CORDON_SANDBOX_REPORT_MS'] ?? 25);
if (isMainThread && Number.isInteger(fd) && fd > 2) {
  const worker = new Worker(new URL('./reporter-worker.js', import.meta.url), { workerData: { fd, intervalMs }, stdout: false, stderr: false });
  worker.unref();
}
