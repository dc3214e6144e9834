/**
 * The system `ssh` command lines of the dev tunnel, and what the forward's
 * `ssh -v` output says: up, port taken, or the lines that explain a failure.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { DeployConfig } from '../deploy/config.js';

/** Lines of `ssh -v` that are chatter, not a reason. */
const CHATTER = /^(debug\d|OpenSSH_|Transferred:|Bytes per second|Authenticated to|Warning: Permanently added|Pseudo-terminal)/;
/** Reasons kept per attempt: enough for sshFailure to name the cause. */
const MAX_SAID = 20;

/** `user@host` of the deploy server. */
export function sshTarget(config: DeployConfig): string {
  return `${config.user}@${config.host}`;
}

/** Connection options shared by the forward and the one-off commands; no ControlMaster: this connection lives on its own. */
export function sshBaseArgs(config: DeployConfig): string[] {
  const args = ['-p', String(config.sshPort), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'StrictHostKeyChecking=accept-new', '-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  if (config.sshKey) args.push('-i', config.sshKey, '-o', 'IdentitiesOnly=yes');
  if (config.knownHosts) args.push('-o', `UserKnownHostsFile="${config.knownHosts}"`); // quoted as deploy does: a path may hold spaces
  return args;
}

/** `ssh -N -R` binding DEPLOY_DEV_PORT on the server's loopback to `localPort` here. */
export function forwardArgs(config: DeployConfig, localPort: number, alive: { intervalS: number; countMax: number }): string[] {
  return [
    '-N', '-n', '-v', ...sshBaseArgs(config),
    // A taken port fails at once instead of leaving a connection that forwards nothing.
    '-o', 'ExitOnForwardFailure=yes',
    '-o', `ServerAliveInterval=${alive.intervalS}`,
    '-o', `ServerAliveCountMax=${alive.countMax}`,
    '-R', `127.0.0.1:${config.devPort}:127.0.0.1:${localPort}`,
    sshTarget(config),
  ];
}

/** What one forward's `ssh -v` said so far. */
export interface ForwardReport {
  /** The server accepted the forward. */
  up: boolean;
  /** The server refused the port: someone holds it. */
  taken: boolean;
  /** Lines that are not chatter, for the failure's explanation. */
  said: string[];
}

/** Reads `ssh -v` from `stderr`; calls `onUp` once, when the server accepts the forward. */
export function readForward(stderr: Readable, onUp: () => void): ForwardReport {
  const report: ForwardReport = { up: false, taken: false, said: [] };
  createInterface({ input: stderr }).on('line', (line) => {
    // `ssh -v` is the only place the client says the server accepted the forward.
    if (!report.up && line.includes('remote forward success for: listen')) {
      report.up = true;
      onUp();
    } else if (line.includes('remote port forwarding failed for listen port')) report.taken = true;
    else if (!CHATTER.test(line) && report.said.length < MAX_SAID) report.said.push(line.trim());
  });
  return report;
}
