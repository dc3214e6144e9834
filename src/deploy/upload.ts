import { DeployError } from '../errors.js';
import { run, type Remote } from './ssh.js';

/** Never sent, even if a future bundle step put them in the build folder. */
const EXCLUDES = ['.env', '.env.*', 'node_modules', '.git', '*.log', 'logs', '.wxmp'];

/**
 * rsync's exit codes and messages, as one line that says what to do. Exit 11/12
 * with ENOSPC is how a full disk shows up on the receiving side.
 *
 * @example
 * rsyncFailure(11, 'write failed ...: No space left on device (28)', '/srv/wxmp/releases/x').code // 'DEPLOY_DISK'
 */
export function rsyncFailure(code: number, stderr: string, target: string): DeployError {
  const text = stderr.trim().split('\n').slice(-3).join(' ');
  if (/No space left on device|ENOSPC|Disk quota exceeded/i.test(stderr)) {
    return new DeployError('disk', `the server's disk is full (rsync: ${text}). Free space under ${target} (df -h; old logs, old releases), then deploy again; nothing was switched.`);
  }
  if (code === 127 || /rsync: (command )?not found|rsync: No such file/i.test(stderr)) {
    return new DeployError('rsync', `rsync is missing on the server (${text}). Install it there (sudo apt-get install rsync) and deploy again.`);
  }
  if (code === 255 || /connection unexpectedly closed|Connection refused/i.test(stderr)) {
    return new DeployError('upload', `the connection dropped during the upload (rsync exit ${code}: ${text}). Check the network and deploy again; nothing was switched.`);
  }
  return new DeployError('upload', `rsync failed with exit code ${code}: ${text || 'no message'}`);
}

/**
 * rsync's `-e` is split by rsync itself (not a shell): at spaces, with single
 * quotes grouping and a doubled quote standing for one. Every word is quoted
 * that way, so a key path with a space stays one argument and nothing in a
 * setting can add an ssh option.
 *
 * @example
 * rsyncRemoteShell(['ssh', '-i', "/keys/my key"]) // "'ssh' '-i' '/keys/my key'"
 */
export function rsyncRemoteShell(argv: string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, "''")}'`).join(' ');
}

/**
 * Uploads `localDir` into `remoteDir` over the shared ssh connection:
 * compressed, deleting strays, and hard-linking files unchanged since
 * `linkDest` (the current release), so only what changed crosses the wire.
 * Resolves to the bytes actually sent.
 *
 * @example
 * await upload(remote, '.wxmp/deploy/build', '/srv/wxmp/releases/20260101-120000-000', '/srv/wxmp/releases/20251231-090000-000');
 */
export async function upload(remote: Remote, localDir: string, remoteDir: string, linkDest?: string): Promise<number> {
  const ssh = rsyncRemoteShell(['ssh', ...remote.sshArgs()]);
  const args = ['-az', '--delete', '--stats', '-e', ssh, ...EXCLUDES.flatMap((e) => ['--exclude', e])];
  if (linkDest) args.push(`--link-dest=${linkDest}`);
  args.push(`${localDir.replace(/\/+$/, '')}/`, `${remote.target}:${remoteDir}/`);
  const result = await run('rsync', args, undefined, undefined, undefined, remote.ownGroup);
  if (result.code !== 0) throw rsyncFailure(result.code, result.stderr, remoteDir);
  const sent = result.stdout.match(/Total bytes sent: ([\d,.]+)/);
  return sent ? Number(sent[1]!.replace(/[,.]/g, '')) : 0;
}
