import { parseArgs } from 'node:util';
import { loadEnv, type Env } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseDeployHosts } from './hosts.js';
import type { Output } from './progress.js';

const USAGE = `Usage: wxmp deploy [--dry-run]        bundle, upload, health-check and switch (npm run deploy)
       wxmp deploy setup [--env FILE] [--yes]   first time: folders, .env (0600), systemd unit, nginx block
       wxmp deploy rollback             put the previous release back in service
       wxmp deploy status               current release, commit, uptime, health
       wxmp deploy logs [-f] [-n N]     the production request log, readable lines
       wxmp deploy logs --app [-f]      the app's own output (console.log, errors)
       wxmp deploy build [--out DIR]    only build the bundle (used by the Dockerfile)
       wxmp deploy balancer [--listen 80]   print an nginx load balancer config for the hosts
Settings come from .env: DEPLOY_HOST, DEPLOY_USER, DEPLOY_PATH, DEPLOY_DOMAIN (see docs/deploy.md).
Several servers: DEPLOY_HOST=a.example.com,b.example.com (setup checks each reaches REDIS_URL: --check-redis for one).
`;

/** The options each action takes: any other is refused, so `rollback --dry-run` never rolls back for real. */
const TAKES: Record<string, string[]> = {
  deploy: ['dry-run'],
  setup: ['env', 'yes', 'check-redis'],
  rollback: [],
  status: [],
  logs: ['follow', 'app', 'lines'],
  build: ['out'],
  balancer: ['listen'],
};

/**
 * `wxmp deploy ...`: parses the arguments, validates DEPLOY_* before anything
 * is touched and runs one action. Resolves to the exit code.
 *
 * @example
 * process.exitCode = await deployCommand(['--dry-run']);
 */
export async function deployCommand(args: string[], io: { env?: Env; cwd?: string; out?: Output } = {}): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      env: { type: 'string' },
      out: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      follow: { type: 'boolean', short: 'f' },
      app: { type: 'boolean' },
      lines: { type: 'string', short: 'n' },
      help: { type: 'boolean', short: 'h' },
      'check-redis': { type: 'boolean' },
      listen: { type: 'string' },
    },
  });
  const out = io.out ?? process.stdout;
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  const action = positionals[0] ?? 'deploy';
  if (!['deploy', 'setup', 'rollback', 'status', 'logs', 'build', 'balancer'].includes(action) || positionals.length > 1) {
    throw new ConfigError(`deploy: expected one of setup, rollback, status, logs, build, balancer (or nothing to deploy), got ${JSON.stringify(positionals.join(' '))}\n${USAGE}`);
  }
  const stray = Object.keys(values).filter((name) => name !== 'help' && !TAKES[action]!.includes(name));
  if (stray.length) {
    const takes = TAKES[action]!.map((name) => `--${name}`).join(', ');
    throw new ConfigError(`deploy ${action}: ${stray.map((name) => `--${name}`).join(', ')} ${stray.length > 1 ? 'do' : 'does'} not apply here (it takes ${takes || 'no options'}); nothing was done\n${USAGE}`);
  }
  const cwd = io.cwd ?? process.cwd();
  if (action === 'build') {
    // The bundle alone, for the Dockerfile: no server, no DEPLOY_* settings needed.
    const { buildRelease } = await import('./release.js');
    const built = await buildRelease({ cwd, outDir: values.out ?? '.wxmp/deploy/build', bot: (io.env ?? loadEnv(cwd)).WXMP_BOT });
    out.write(`built release ${built.release} in ${values.out ?? '.wxmp/deploy/build'} (${Math.round(built.bytes / 1024)} KB, bot ${built.bot})\n`);
    return 0;
  }
  const lines = values.lines === undefined ? 50 : Number(values.lines);
  if (!Number.isInteger(lines) || lines < 1) throw new ConfigError(`--lines: expected a positive integer, got ${JSON.stringify(values.lines)}`);
  const env = io.env ?? loadEnv(cwd);
  const { hosts, rollingLimit } = parseDeployHosts(env);
  if (action === 'balancer') {
    out.write((await import('./balancer.js')).nginxBalancerBlock(hosts, { listen: values.listen }));
    return 0;
  }
  if (hosts.length > 1) {
    const fleet = await import('./fleet-manage.js');
    switch (action) {
      case 'setup':
        await fleet.fleetSetup({ hosts, envFile: values.env, yes: values.yes, out });
        return 0;
      case 'rollback':
        await fleet.fleetRollback({ hosts, rollingLimit, out });
        return 0;
      case 'status':
        return (await fleet.fleetStatus({ hosts, out })).every((s) => s.status.health.status === 200) ? 0 : 1;
      case 'logs':
        await fleet.fleetLogs({ hosts, lines, follow: values.follow, app: values.app, out });
        return 0;
      default:
        await (await import('./fleet.js')).fleetDeploy({ hosts, rollingLimit, cwd, dryRun: values['dry-run'], out, bot: env.WXMP_BOT });
        return 0;
    }
  }
  const config = hosts[0]!.config;
  switch (action) {
    case 'setup':
      if (values['check-redis']) await (await import('./fleet-manage.js')).fleetSetup({ hosts, envFile: values.env, yes: values.yes, checkRedis: true, out });
      else await (await import('./setup.js')).setup({ config, envFile: values.env, yes: values.yes, out });
      return 0;
    case 'rollback':
      await (await import('./manage.js')).rollback({ config, out });
      return 0;
    case 'status': {
      const s = await (await import('./manage.js')).status({ config, out });
      return s.health.status === 200 ? 0 : 1;
    }
    case 'logs':
      await (await import('./manage.js')).logs({ config, lines, follow: values.follow, app: values.app, out });
      return 0;
    default:
      await (await import('./deploy.js')).deploy({ config, cwd, dryRun: values['dry-run'], out, bot: env.WXMP_BOT });
      return 0;
  }
}
