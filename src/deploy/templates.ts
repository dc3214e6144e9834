import type { DeployConfig } from './config.js';

/**
 * The systemd unit that keeps the supervisor running. KillMode=mixed sends
 * SIGTERM to the supervisor alone (it retires its worker gracefully) and
 * SIGKILL to whatever is left after the stop timeout.
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
Environment=NODE_ENV=production
Environment=HOST=127.0.0.1
Environment=PORT=${c.appPort}
Environment=WXMP_BASE=${c.path}
Environment=WXMP_HEALTH_TIMEOUT_MS=${c.healthTimeoutMs}
ExecStart=${options.nodePath ?? '/usr/bin/node'} ${c.path}/bin/supervisor.mjs
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=2
KillMode=mixed
TimeoutStopSec=15
NoNewPrivileges=true

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The nginx server block for DEPLOY_DOMAIN: timeouts that fit WeChat's 5 s,
 * X-Forwarded-For, a 1 MB body cap and a keepalive upstream. With certificate
 * paths it also listens on 443 (WeChat accepts 80 or 443).
 *
 * `proxy_next_upstream error non_idempotent` lets nginx retry a POST whose
 * keepalive connection the retiring worker closed, instead of answering 502.
 */
export function nginxServerBlock(c: DeployConfig): string {
  const upstream = `wxmp_${c.serviceName.replace(/-/g, '_')}`;
  const location = `    location / {
        proxy_pass http://${upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;
        proxy_send_timeout 5s;
        proxy_read_timeout 5s;
        proxy_next_upstream error non_idempotent;
        proxy_next_upstream_tries 3;
    }`;
  const tls = c.sslCert && c.sslKey
    ? `
server {
    listen 443 ssl http2;
    server_name ${c.domain};
    ssl_certificate ${c.sslCert};
    ssl_certificate_key ${c.sslKey};
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 1m;
${location}
}
`
    : '';
  return `# wxmp: ${c.domain} → 127.0.0.1:${c.appPort} (written by \`wxmp deploy setup\`)
upstream ${upstream} {
    server 127.0.0.1:${c.appPort} max_fails=0;
    keepalive 16;
}

server {
    listen ${c.httpListen};
    server_name ${c.domain};
    client_max_body_size 1m;
    # certbot --webroot -w ${c.path}/shared/acme answers its challenge from here
    location /.well-known/acme-challenge/ {
        root ${c.path}/shared/acme;
    }
${location}
}
${tls}`;
}
