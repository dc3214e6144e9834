/**
 * `wxmp deploy logs --app` with systemd reads the journal, which an unprivileged
 * DEPLOY_USER outside the systemd-journal group cannot: journalctl then prints
 * nothing and exits 0. The script is run here by sh with stand-ins for id,
 * journalctl and sudo, as the server would run it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../src/deploy/config.js';
import { logsScript } from '../../src/deploy/scripts.js';

const bin = mkdtempSync(join(tmpdir(), 'wxmp-logs-script-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
const tool = (name: string, body: string) => {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
};
// id answers from the environment: the uid (-u), the user (-un) and the groups (-nG).
tool('id', 'case "$1" in -u) echo "$FAKE_UID";; -un) echo deploy;; -nG) echo "$FAKE_GROUPS";; esac');
// As the real one: without the right, nothing at all, and exit code 0.
tool('journalctl', 'case " $FAKE_GROUPS " in *" systemd-journal "*|*" adm "*) ;; *) [ "$FAKE_UID" = 0 ] || exit 0;; esac; echo "journal as $FAKE_UID: $*"');
tool('sudo', '[ "$FAKE_SUDO" = yes ] || exit 1; shift; FAKE_UID=0 exec "$@"');

const config = parseDeployConfig({ DEPLOY_HOST: 'wx.example.com', DEPLOY_USER: 'deploy', DEPLOY_PATH: '/srv/wxmp', DEPLOY_DOMAIN: 'wx.example.com' }, { checkFiles: false });

function run(env: Record<string, string>): string {
  const r = spawnSync('sh', ['-c', logsScript(config, 20, false, true)], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, timeout: 10_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

describe('deploy logs --app under systemd', () => {
  it('reads the journal directly as root or as a member of systemd-journal or adm', () => {
    expect(run({ FAKE_UID: '0', FAKE_GROUPS: 'root' })).toBe('journal as 0: -u wxmp -n 20 --no-pager -o cat');
    expect(run({ FAKE_UID: '1000', FAKE_GROUPS: 'deploy systemd-journal' })).toMatch(/^journal as 1000: -u wxmp/);
    expect(run({ FAKE_UID: '1000', FAKE_GROUPS: 'adm deploy' })).toMatch(/^journal as 1000: -u wxmp/);
  });

  it('goes through sudo -n otherwise, and says how to get access when that is refused too', () => {
    expect(run({ FAKE_UID: '1000', FAKE_GROUPS: 'deploy', FAKE_SUDO: 'yes' })).toBe('journal as 0: -u wxmp -n 20 --no-pager -o cat');
    // A group that merely contains the name is not the group.
    expect(run({ FAKE_UID: '1000', FAKE_GROUPS: 'deploy systemd-journal-remote' })).toBe(
      'wxmp: deploy may not read the journal of wxmp: add it to the systemd-journal group (sudo usermod -aG systemd-journal deploy) or allow it sudo -n journalctl',
    );
  });
});
