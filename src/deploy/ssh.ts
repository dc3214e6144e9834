import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployError } from '../errors.js';
import type { DeployConfig } from './config.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program, collecting its output; `input` goes to its stdin, `signal` stops it.
 *
 * @example
 * const { code, stdout } = await run('rsync', ['--version']);
 */
export function run(command: string, args: string[], input?: string, onOutput?: (chunk: string) => void, signal?: AbortSignal, ownGroup = false, retries = 3): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // ownGroup: out of the terminal's process group, so Ctrl-C reaches wxmp but not this child.
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: ownGroup });
    signal?.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; onOutput?.(String(d)); });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', (error) => reject(new DeployError('local', `could not run ${command}: ${error.message}. Install it (openssh-client, rsync) on this machine.`, { cause: error })));
    child.on('close', (code, killedBy) => {
      // A Ctrl-C sent to the terminal's group between fork and setsid stays pending in the child and
      // ends it just before exec: it never ran. Outside the group nothing else sends it SIGINT; run it again.
      if (ownGroup && killedBy === 'SIGINT' && !stdout && !stderr && retries > 0 && !signal?.aborted) {
        resolve(run(command, args, input, onOutput, signal, ownGroup, retries - 1));
      } else {
        resolve({ code: code ?? 1, stdout, stderr });
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/**
 * Turns ssh's own failures (exit 255) into one clear line each.
 *
 * @example
 * sshFailure(config, 'ssh: connect to host h port 22: Connection refused').message // 'cannot reach ...'
 */
export function sshFailure(config: DeployConfig, stderr: string): DeployError {
  const target = `${config.user}@${config.host}:${config.sshPort}`;
  const text = stderr.trim().split('\n').filter((l) => !l.startsWith('Warning: Permanently added')).join(' ');
  if (/Permission denied|Too many authentication failures/i.test(text)) {
    return new DeployError('ssh', `ssh to ${target} was refused (${text}). Check DEPLOY_USER and DEPLOY_SSH_KEY, and that the key's .pub is in the server's ~/.ssh/authorized_keys.`);
  }
  if (/Connection refused|timed out|No route to host|Could not resolve|Network is unreachable|Connection closed|Connection reset/i.test(text)) {
    return new DeployError('ssh', `cannot reach ${target} (${text}). Check DEPLOY_HOST and DEPLOY_SSH_PORT, and that sshd runs and the firewall lets you in.`);
  }
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(text)) {
    return new DeployError('ssh', `the host key of ${target} does not match known_hosts (${text}). If the server was reinstalled, remove its old line with ssh-keygen -R.`);
  }
  return new DeployError('ssh', `ssh to ${target} failed: ${text || 'no message'}`);
}

/**
 * One ssh connection to the server, reused by every command and by rsync
 * (ControlMaster), so a deploy pays for the handshake once.
 *
 * @example
 * const remote = new Remote(config);
 * const { stdout } = await remote.exec('uname -a');
 * await remote.close();
 */
export class Remote {
  readonly config: DeployConfig;
  private readonly controlDir = mkdtempSync(join(tmpdir(), 'wxmp-ssh-'));

  /**
   * @param ownGroup run ssh and rsync in their own process group: Ctrl-C in the
   * terminal then cannot cut a command short on the server (a switch half done);
   * the caller decides when to stop.
   */
  constructor(config: DeployConfig, readonly ownGroup = false) {
    this.config = config;
  }

  /** ssh options shared by ssh and rsync's `-e`. */
  sshArgs(): string[] {
    const c = this.config;
    const args = [
      '-p', String(c.sshPort),
      '-o', 'BatchMode=yes',
      // ssh counts whole seconds; the TCP connect and the greeting must both fit.
      '-o', `ConnectTimeout=${Math.ceil(c.connectTimeoutMs / 1000)}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'StrictHostKeyChecking=accept-new',
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath="${join(this.controlDir, 'c')}"`,
      '-o', 'ControlPersist=60',
      '-o', 'LogLevel=ERROR',
    ];
    if (c.sshKey) args.push('-i', c.sshKey, '-o', 'IdentitiesOnly=yes');
    // Quoted: ssh splits an -o value at spaces (config validation keeps '"' out of the path).
    if (c.knownHosts) args.push('-o', `UserKnownHostsFile="${c.knownHosts}"`);
    return args;
  }

  get target(): string {
    return `${this.config.user}@${this.config.host}`;
  }

  /**
   * Runs a bash script on the server (sent on stdin, so nothing needs quoting
   * twice). Resolves even when the script fails; rejects only when ssh itself does.
   */
  async exec(script: string, onOutput?: (chunk: string) => void, signal?: AbortSignal): Promise<RunResult> {
    const result = await run('ssh', [...this.sshArgs(), this.target, 'bash -s'], `set -u\n${script}\n`, onOutput, signal, this.ownGroup);
    if (result.code === 255 && !signal?.aborted) throw sshFailure(this.config, result.stderr);
    return result;
  }

  /** Like exec, but a non-zero exit becomes a DeployError for `step`, showing the script's stderr. */
  async check(step: string, script: string): Promise<string> {
    const result = await this.exec(script);
    if (result.code !== 0) {
      const said = (result.stderr || result.stdout).trim();
      throw new DeployError(step, said || `step "${step}" failed on the server with exit code ${result.code}`);
    }
    return result.stdout;
  }

  /** Closes the shared connection and removes its socket folder. */
  async close(): Promise<void> {
    await run('ssh', [...this.sshArgs(), '-O', 'exit', this.target]).catch(() => undefined);
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}

/**
 * Quotes a value for a POSIX shell.
 *
 * @example
 * sh("it's") // 'it'\\''s' (as one shell word)
 */
export function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
