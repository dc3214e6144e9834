/**
 * The `wxmp` command. Thin on purpose: it picks the command, parses its
 * arguments and calls one function; the work lives in the rooms under src/.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, isWxmpError } from './errors.js';
import { didYouMean } from './suggest.js';

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; run: Command }> = {
  start: {
    summary: 'run the production server (PORT, default 8000) with your bot: src/app.ts, or start <file>',
    run: async (args) => {
      if (args.length > 1 || args[0]?.startsWith('-')) throw new ConfigError(`start: expected at most one argument, the bot module (e.g. wxmp start ./bot.js), got ${JSON.stringify(args.join(' '))}`);
      return (await import('./server/bundled-start.js')).startBundled(process.cwd(), args[0]);
    },
  },
  dev: {
    summary: 'run the bot locally with a tunnel, hot reload, request log and inspector (npm run dev)',
    run: async () => (await import('./dev/command.js')).runDev(),
  },
  verify: {
    summary: 'check a callback URL the way WeChat does (GET handshake) and say why it would fail (verify [url])',
    run: async (args) => (await import('./dev/verify.js')).verifyCommand(args),
  },
  send: {
    summary: 'send a message or event to your bot as WeChat would, and judge the reply (send --help)',
    run: async (args) => (await import('./emulator/send-command.js')).sendCommand(args),
  },
  deploy: {
    summary: 'deploy to your server: setup, (default) deploy, rollback, status, logs; --help for details',
    run: async (args) => (await import('./deploy/command.js')).deployCommand(args),
  },
  menu: {
    summary: 'publish the custom menu from a JSON file (menu push <file>) or print it (menu show)',
    run: async (args) => (await import('./api/menu-command.js')).menuCli(args),
  },
};

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: wxmp <command> [options]\n       wxmp --version\n\nCommands:\n${lines.join('\n')}\n`;
}

/** Runs the CLI with `argv` (without node and the script) and resolves to an exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`wxmp ${version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`wxmp: unknown command "${name}"${didYouMean(name, Object.keys(commands))}\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // Expected failures print one clear line; anything else keeps its stack for a bug report.
    if (isWxmpError(error)) {
      process.stderr.write(`wxmp ${name}: ${error.message}\n`);
      return 1;
    }
    // node:util parseArgs: an unknown or malformed flag is the user's typo, not a bug.
    if (String((error as { code?: unknown })?.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`wxmp ${name}: ${(error as Error).message.split('. ')[0]}; see \`wxmp ${name} --help\`\n`);
      return 1;
    }
    throw error;
  }
}
