import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployError } from '../errors.js';
import type { DeployConfig } from './config.js';
import { checked } from './deploy.js';
import { Progress, type Output } from './progress.js';
import { layoutScript } from './scripts.js';
import { Remote, sh } from './ssh.js';
import { nginxDevBlock, nginxServerBlock, systemdUnit } from './templates.js';

export interface SetupOptions {
  config: DeployConfig;
  /** Upload this local .env as the server's shared/.env (mode 0600). */
  envFile?: string;
  /** Overwrite an nginx or unit file that differs (the diff is shown either way). */
  yes?: boolean;
  out?: Output;
}

const sudo = 'if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi';

/**
 * `diff -u` of two texts, for showing what an overwrite would change.
 *
 * @example
 * unifiedDiff('a\n', 'b\n', '/etc/nginx/conf.d/wxmp.conf') // '--- ... (on the server)\n+++ ... (new)\n@@ ...'
 */
export function unifiedDiff(before: string, after: string, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxmp-diff-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    const r = spawnSync('diff', ['-u', '--label', `${label} (on the server)`, '--label', `${label} (new)`, join(dir, 'a'), join(dir, 'b')]);
    return String(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where the file replaced by setup is kept: a dot file beside it. nginx's `include dir/*`
 * (Debian's sites-enabled) skips dot files, as glob(3) does, while `wxmp.conf.wxmp-old`
 * would be loaded as a second copy of the block, and fail `nginx -t` on the next setup.
 */
export function backupPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.wxmp-old`;
}

/** Writes a root-owned config file, showing a diff and refusing to overwrite without `yes`. */
async function install(remote: Remote, path: string, content: string, options: SetupOptions, out: Output): Promise<'created' | 'unchanged' | 'updated'> {
  const existing = await remote.exec(`cat ${sh(path)} 2>/dev/null`);
  const before = existing.code === 0 ? existing.stdout : undefined;
  if (before === content) return 'unchanged';
  if (before !== undefined) {
    out.write(unifiedDiff(before, content, path));
    if (!options.yes) throw new DeployError('setup', `${path} already exists and differs (diff above). Run \`wxmp deploy setup --yes\` to overwrite it, or edit it by hand.`);
  }
  const b64 = Buffer.from(content).toString('base64');
  await checked(remote, 'setup', `${sudo}
$SUDO mkdir -p ${sh(path.slice(0, path.lastIndexOf('/')) || '/')} || exit 1
[ -f ${sh(path)} ] && $SUDO cp ${sh(path)} ${sh(backupPath(path))}
printf '%s' ${sh(b64)} | base64 -d | $SUDO tee ${sh(`${path}.tmp`)} >/dev/null && $SUDO mv ${sh(`${path}.tmp`)} ${sh(path)}`);
  return before === undefined ? 'created' : 'updated';
}

/**
 * `wxmp deploy setup`: the folder layout, the production .env (only with
 * `envFile`), the systemd unit and the nginx server block, checked with
 * `nginx -t` before nginx reloads; a failing check restores the old file.
 *
 * @example
 * await setup({ config: parseDeployConfig(loadEnv()), envFile: '.env.production' });
 */
export async function setup(options: SetupOptions): Promise<void> {
  const { config } = options;
  const out = options.out ?? process.stdout;
  const p = new Progress(out);
  const remote = new Remote(config);
  const base = config.path;
  try {
    const warnings: string[] = [];
    await p.step('layout', async () => {
      const lines = (await checked(remote, 'setup', layoutScript(config))).trim().split('\n');
      warnings.push(...lines.filter((l) => l.startsWith('warning=')).map((l) => `  warning: ${l.slice('warning='.length)}`));
      return `${base}/{releases,shared,run,bin}; ${lines.filter((l) => !l.startsWith('warning=')).join(', ')}`;
    });
    for (const w of warnings) p.line(w);
    if (options.envFile) {
      const file = options.envFile;
      if (!existsSync(file)) throw new DeployError('setup', `--env ${file}: no such file on this machine`);
      const b64 = readFileSync(file).toString('base64');
      // The contents travel base64-encoded inside the script, never on a command line or in output.
      await p.step('env', () => checked(remote, 'setup', `umask 077; printf '%s' ${sh(b64)} | base64 -d > ${sh(`${base}/shared/.env.tmp`)} && chmod 600 ${sh(`${base}/shared/.env.tmp`)} && mv ${sh(`${base}/shared/.env.tmp`)} ${sh(`${base}/shared/.env`)}`), () => `${file} → ${base}/shared/.env (0600)`);
    } else {
      p.line(`  (.env not uploaded; run with --env .env.production to send it, or edit ${base}/shared/.env on the server)`);
    }
    if (config.service === 'systemd') {
      if (config.user === 'root') p.line('  warning: the service will run as root (User=root); a user of its own is safer: adduser --system wxmp, then DEPLOY_USER=wxmp');
      const unitPath = `${config.systemdDir}/${config.serviceName}.service`;
      await p.step('systemd', async () => {
        const node = (await remote.exec('command -v node')).stdout.trim() || undefined;
        const state = await install(remote, unitPath, systemdUnit(config, { nodePath: node }), options, out);
        const enable = await remote.exec(`${sudo}; $SUDO systemctl daemon-reload && $SUDO systemctl enable ${sh(config.serviceName)} 2>&1`);
        if (enable.code !== 0) {
          const said = `${enable.stdout}${enable.stderr}`.trim();
          const hint = /not been booted with systemd|Failed to connect to bus|command not found/.test(said)
            ? 'systemd is not running on the server (a container?): set DEPLOY_SERVICE=none and the deploy keeps the supervisor running itself'
            : 'check that DEPLOY_USER may run `sudo -n systemctl`';
          throw new DeployError('systemd', `${unitPath} is written, but systemctl failed (${said.split('\n').join(' ')}). ${hint}.`);
        }
        return `${unitPath} ${state}, enabled`;
      });
    } else {
      p.line('  (DEPLOY_SERVICE=none: no systemd unit; the deploy starts the supervisor with setsid)');
    }
    const confPath = `${config.nginxConfDir}/${config.serviceName}.conf`;
    // The dev tunnel's block is a file of its own: adding or changing it never touches production's.
    const files = [{ path: confPath, content: nginxServerBlock(config) }];
    if (config.devDomain) files.push({ path: `${config.nginxConfDir}/${config.serviceName}-dev.conf`, content: nginxDevBlock(config) });
    await p.step('nginx', async () => {
      const changed: string[] = [];
      for (const f of files) if ((await install(remote, f.path, f.content, options, out)) !== 'unchanged') changed.push(f.path);
      const dev = config.devDomain ? `; dev tunnel ${config.devDomain} → 127.0.0.1:${config.devPort}` : '';
      if (!changed.length) return `${files.map((f) => f.path).join(', ')} unchanged${dev}`;
      const test = await remote.exec(`${sudo}; $SUDO ${config.nginxArgs.map(sh).join(' ')} -t 2>&1`);
      if (test.code !== 0) {
        const missing = test.code === 127 || /command not found|No such file or directory/.test(test.stdout) && !/\[emerg\]/.test(test.stdout);
        for (const path of changed) await remote.exec(`${sudo}; if [ -f ${sh(backupPath(path))} ]; then $SUDO mv ${sh(backupPath(path))} ${sh(path)}; else $SUDO rm -f ${sh(path)}; fi`);
        if (missing) throw new DeployError('nginx', `nginx is not installed on the server (${test.stdout.trim()}): install it (sudo apt-get install nginx) and run setup again; ${changed.join(', ')} not kept`);
        throw new DeployError('nginx', `nginx -t rejected the new server block, so nginx was not reloaded and the old file is back:\n${test.stdout.trim()}`);
      }
      await checked(remote, 'nginx', `${sudo}; $SUDO ${config.nginxArgs.map(sh).join(' ')} -s reload`);
      return `${changed.join(', ')} written; nginx -t ok, reloaded (${config.domain} on ${config.httpListen}${config.sslCert ? ' and 443' : ''} → 127.0.0.1:${config.appPort}${dev})`;
    });
    p.line(`setup done in ${p.total()}; next: npm run deploy${config.devDomain ? `, and \`npm run dev\` tunnels through ${config.devDomain}` : ''}`);
  } finally {
    await remote.close();
  }
}
