import { copyFileSync, statSync, truncateSync } from 'node:fs';

/**
 * Keeps a log that another process appends to (the supervisor's stdout,
 * opened `>>` by the shell) under `maxBytes`: past it, the file is copied to
 * `file.1` (replacing the previous one) and truncated, like logrotate's
 * copytruncate. Appending writers carry on at the new end. Checked now and
 * every `everyMs`; returns the check, for tests.
 *
 * @example
 * boundLog('/srv/app/shared/logs/supervisor.log', 10 * 1024 * 1024);
 */
export function boundLog(file: string, maxBytes = 10 * 1024 * 1024, everyMs = 30_000): () => void {
  const check = () => {
    try {
      if (statSync(file).size <= maxBytes) return;
      copyFileSync(file, `${file}.1`);
      truncateSync(file, 0);
    } catch { /* a full disk or a missing file: try again later */ }
  };
  check();
  setInterval(check, everyMs).unref();
  return check;
}
