import type { DeployConfig } from './config.js';

/**
 * The systemd unit that keeps the supervisor running. KillMode=mixed sends
 * SIGTERM to the supervisor alone (it retires its workers gracefully, killing
 * a stuck one after WXMP_RETIRE_TIMEOUT_MS, 60 s) and SIGKILL to whatever is
 * left after the stop timeout, set above that limit. The port, host and base are
 * set by env(1) on the command line, not by Environment=: systemd lets an
 * EnvironmentFile override Environment=, and the app's .env, copied from
 * .env.example, says PORT=8000 (or HOST=0.0.0.0, which would bypass nginx).
 *
 * @example
 * systemdUnit(config) // "[Unit]\nDescription=wxmp WeChat server (wx.example.com)..."
 */
export function systemdUnit(c: DeployConfig, options: { nodePath?: string } = {}): string {
  return `[Unit]
Description=wxmp WeChat server (${c.domain})
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${c.user}
WorkingDirectory=${c.path}
EnvironmentFile=-${c.path}/shared/.env
ExecStart=/usr/bin/env NODE_ENV=production HOST=127.0.0.1 PORT=${c.appPort} WXMP_BASE=${c.path} WXMP_HEALTH_TIMEOUT_MS=${c.healthTimeoutMs} ${options.nodePath ?? '/usr/bin/node'} ${c.path}/bin/supervisor.mjs
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=2
KillMode=mixed
TimeoutStopSec=75
NoNewPrivileges=true

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The proxy directives every wxmp server block shares: HTTP/1.1 keepalive to the
 * upstream, the client's address forwarded, and timeouts inside WeChat's 5 s.
 * `retry` is the `proxy_next_upstream` line and what follows it.
 *
 * @example
 * proxyTo('wxmp_wxmp', { connect: '2s', retry: 'error non_idempotent;\n        proxy_next_upstream_tries 3' })
 */
export function proxyTo(upstream: string, o: { connect: string; retry: string }): string {
  return `        proxy_pass http://${upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout ${o.connect};
        proxy_send_timeout 5s;
        proxy_read_timeout 5s;
        proxy_next_upstream ${o.retry};`;
}

/** An upstream on the server's loopback; max_fails=0 so a moment without a listener (a switch, a reconnecting tunnel) never marks it down. */
function upstreamBlock(name: string, port: number, keepalive: number): string {
  return `upstream ${name} {
    server 127.0.0.1:${port} max_fails=0;
    keepalive ${keepalive};
}`;
}

/** Where certbot's webroot challenge is answered, on every domain wxmp serves. */
function acmeLocation(c: DeployConfig): string {
  return `    location /.well-known/acme-challenge/ {
        root ${c.path}/shared/acme;
    }`;
}

/** The 443 server block around `body` when the deploy settings have a certificate, else nothing. */
function httpsServer(c: DeployConfig, serverName: string, body: string): string {
  if (!c.sslCert || !c.sslKey) return '';
  return `
server {
    listen 443 ssl http2;
    server_name ${serverName};
    ssl_certificate ${c.sslCert};
    ssl_certificate_key ${c.sslKey};
    ssl_protocols TLSv1.2 TLSv1.3;
${body}
}
`;
}

/**
 * The nginx server block for DEPLOY_DOMAIN: timeouts that fit WeChat's 5 s,
 * X-Forwarded-For, a 1 MB body cap and a keepalive upstream. With certificate
 * paths it also listens on 443 (WeChat accepts 80 or 443).
 *
 * `proxy_next_upstream error non_idempotent` lets nginx retry a POST whose
 * keepalive connection a retiring worker closed as nginx picked it, instead of
 * answering 502. Kept on purpose: a retiring worker is no longer killed
 * mid-handler (it finishes its requests first), so what nginx retries never
 * reached a handler; and if a worker does die mid-handler, the retry is a copy
 * of a message whose de-dup claim the supervisor (or Redis) already holds, so
 * the handler does not run twice.
 */
export function nginxServerBlock(c: DeployConfig): string {
  const upstream = `wxmp_${c.serviceName.replace(/-/g, '_')}`;
  const location = `    location / {
${proxyTo(upstream, { connect: '2s', retry: 'error non_idempotent;\n        proxy_next_upstream_tries 3' })}
    }`;
  const tls = httpsServer(c, c.domain, `    client_max_body_size 1m;\n${location}`);
  return `# wxmp: ${c.domain} → 127.0.0.1:${c.appPort} (written by \`wxmp deploy setup\`)
${upstreamBlock(upstream, c.appPort, 16)}

server {
    listen ${c.httpListen};
    server_name ${c.domain};
    client_max_body_size 1m;
    # certbot --webroot -w ${c.path}/shared/acme answers its challenge from here
${acmeLocation(c)}
${location}
}
${tls}`;
}

/**
 * The public origin of the dev tunnel: https when the deploy settings have a
 * certificate (it must cover DEPLOY_DEV_DOMAIN too), else http on
 * DEPLOY_HTTP_LISTEN's port.
 *
 * @example
 * devPublicOrigin(config) // 'https://dev.example.com'
 */
export function devPublicOrigin(c: DeployConfig): string {
  if (c.sslCert) return `https://${c.devDomain}`;
  const port = c.httpListen.split(':').pop();
  return `http://${c.devDomain}${port === '80' ? '' : `:${port}`}`;
}

/**
 * The nginx server block for DEPLOY_DEV_DOMAIN: it proxies to the loopback
 * port that `npm run dev`'s reverse ssh forward binds. With no tunnel
 * connected, the refused connection becomes a fast 503 with a line saying
 * why; the bot's own answers (its 502 while broken, say) pass through. The
 * dev pages are never served here, and WeChat's query (OpenIDs, signatures)
 * stays out of the access log. A file of its own, so production's is untouched.
 *
 * @example
 * nginxDevBlock({ ...config, devDomain: 'dev.example.com' }) // "# wxmp dev tunnel: dev.example.com → 127.0.0.1:8001 ..."
 */
export function nginxDevBlock(c: DeployConfig): string {
  const upstream = `wxmp_${c.serviceName.replace(/-/g, '_')}_dev`;
  const body = `    client_max_body_size 1m;
    access_log off;
${acmeLocation(c)}
    location ^~ /__wxmp {
        return 404;
    }
    location / {
${proxyTo(upstream, { connect: '2s', retry: 'error non_idempotent' })}
        error_page 502 = @wxmp_dev_down;
    }
    location @wxmp_dev_down {
        default_type text/plain;
        return 503 "wxmp dev tunnel: no dev server is connected to ${c.devDomain}; start it with \`npm run dev\` (TUNNEL=ssh) on your machine\\n";
    }`;
  const tls = httpsServer(c, c.devDomain!, body);
  return `# wxmp dev tunnel: ${c.devDomain} → 127.0.0.1:${c.devPort}, bound by \`npm run dev\` over ssh (written by \`wxmp deploy setup\`)
${upstreamBlock(upstream, c.devPort, 8)}

server {
    listen ${c.httpListen};
    server_name ${c.devDomain};
${body}
}
${tls}`;
}
