/**
 * Reloads the bot when a file under src/ changes. Saves come in bursts (an
 * editor writes, renames, touches), so changes are gathered for 5 ms and
 * a save during a reload causes one more reload, never a pile of them.
 * chokidar drops a change that follows another within 50 ms; `changedSince`
 * lets the caller look at the files themselves after each reload.
 */
import { watch } from 'chokidar';

/** A running watcher. */
export interface SourceWatcher {
  close(): Promise<void>;
}

/**
 * @example
 * const watcher = watchSources('src', () => host.reload().then(report));
 */
export function watchSources(dir: string | string[], onChange: () => Promise<unknown>, options: { debounceMs?: number; changedSince?: () => boolean } = {}): Promise<SourceWatcher> {
  // followSymlinks: edits inside a symlinked folder are changes to the bot too.
  const watcher = watch(dir, { ignoreInitial: true, followSymlinks: true, ignored: (path) => /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(path) });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let again = false;
  let recheck: NodeJS.Timeout | undefined;

  const run = (): void => {
    if (running) { again = true; return; }
    running = onChange().catch(() => undefined).finally(() => {
      running = undefined;
      if (again || options.changedSince?.()) { again = false; run(); return; }
      // A save within chokidar's 50 ms window after this run's event was dropped: look once more after it.
      clearTimeout(recheck);
      recheck = setTimeout(() => { if (!running && options.changedSince?.()) run(); }, 60);
    });
  };
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(run, options.debounceMs ?? 5);
  });
  return new Promise((resolve, reject) => {
    watcher.once('ready', () => resolve({ close: async () => { clearTimeout(timer); clearTimeout(recheck); await watcher.close(); } }));
    watcher.once('error', reject);
  });
}
