/**
 * docker-compose.yml against the Compose Specification's JSON schema (the
 * docker compose plugin and engine are not available here). Errors name the
 * path and rule only, never a value, so secrets in a compose file stay unprinted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const { $schema: _meta, $comment: _source, ...schema } = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
// `deprecated` is a draft 2019 keyword the published draft-07 schema uses anyway.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

function problems(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`);
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { build?: string; image?: string; ports?: string[]; expose?: string[]; env_file?: unknown; profiles?: string[]; volumes?: string[]; depends_on?: Record<string, { condition: string }> }>;
};

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(problems(compose)).toEqual([]);
  });

  it('the schema check catches mistakes (and reports paths, not values)', () => {
    const broken = { ...compose, services: { ...compose.services, app: { ...compose.services.app, restart: 1, environment: { WECHAT_APP_SECRET: { nested: 'TOPSECRET' } } } } };
    const found = problems(broken);
    expect(found.join('\n')).toMatch(/\/services\/app\/restart must be string/);
    expect(found.join('\n')).not.toContain('TOPSECRET');
    expect(problems({ ...compose, service: {} })).toContain('/ must NOT have additional properties');
  });

  it('runs the app on 8000 behind nginx on 80, Redis under a profile, settings from .env', () => {
    const { app, nginx, redis } = compose.services;
    expect(app!.build).toBe('.');
    expect(app!.expose).toEqual(['8000']);
    expect(app!.env_file).toEqual([{ path: '.env', required: false }]);
    expect(nginx!.ports).toEqual(['80:80']);
    expect(nginx!.volumes).toContain('./deploy/nginx.docker.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(nginx!.depends_on).toEqual({ app: { condition: 'service_healthy' } });
    expect(redis!.profiles).toEqual(['redis']);
    const conf = readFileSync(join(root, 'deploy', 'nginx.docker.conf'), 'utf8');
    expect(conf).toMatch(/server app:8000;/);
    expect(conf).toMatch(/listen 80;/);
    expect(conf).toMatch(/proxy_read_timeout 5s;/);
  });

  it('deploy/nginx.docker.conf passes nginx -t (with `app` resolved to loopback, as compose would resolve it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxmp-compose-nginx-'));
    try {
      mkdirSync(join(dir, 'logs'));
      const conf = readFileSync(join(root, 'deploy', 'nginx.docker.conf'), 'utf8').replace('server app:8000;', 'server 127.0.0.1:8000;').replace('listen 80;', 'listen 127.0.0.1:8080;');
      writeFileSync(join(dir, 'default.conf'), conf);
      writeFileSync(join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  include ${dir}/default.conf;\n}\n`);
      const r = spawnSync('/usr/sbin/nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')], { encoding: 'utf8', timeout: 10_000 });
      if (r.error) throw new Error(`nginx is missing (Debian package nginx): ${r.error.message}`);
      expect(`${r.stdout}${r.stderr}`).toMatch(/test is successful/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Dockerfile ships only the bundle, runs as a non-root user on 8000 with a health check', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN node bin\/wxmp\.js deploy build --out \/release/);
    expect(dockerfile).toMatch(/COPY --from=build \/release\/ \.\//);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/healthz/m);
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.env', '.env.*', 'node_modules', '.git', '.wxmp', '*.log']) expect(ignore).toContain(entry);
  });
});
