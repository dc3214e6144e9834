import type { DeployHost } from './hosts.js';
import { proxyTo } from './templates.js';

/**
 * The nginx config for a front host that balances WeChat's callbacks across
 * the hosts' own nginx (`wxmp deploy balancer` prints it). A host whose nginx
 * refuses or answers 502/503 is skipped for the next one: POSTs included
 * (`non_idempotent`), which is safe because the hosts share de-dup in Redis.
 * No `timeout` retry: a slow handler is not run a second time elsewhere.
 *
 * @example
 * nginxBalancerBlock(hosts, { listen: '80' }) // "upstream wxmp_balancer {\n    server a.example.com:80 ..."
 */
export function nginxBalancerBlock(hosts: DeployHost[], options: { listen?: string } = {}): string {
  const first = hosts[0]!.config;
  const name = `wxmp_${first.serviceName.replace(/-/g, '_')}_hosts`;
  const servers = hosts.map(({ config: c }) => {
    const [ip, port] = c.httpListen.includes(':') ? c.httpListen.split(':') : [undefined, c.httpListen];
    const host = ip && ip !== '0.0.0.0' ? ip : c.host.includes(':') && !c.host.startsWith('[') ? `[${c.host}]` : c.host;
    return `    server ${host}:${port} max_fails=2 fail_timeout=5s;`;
  });
  return `# wxmp: ${first.domain} balanced across ${hosts.length} hosts (printed by \`wxmp deploy balancer\`)
upstream ${name} {
${servers.join('\n')}
    keepalive 32;
}

server {
    listen ${options.listen ?? '80'};
    server_name ${first.domain};
    client_max_body_size 1m;
    location / {
${proxyTo(name, { connect: '1s', retry: 'error http_502 http_503 non_idempotent;\n        proxy_next_upstream_tries 2' })}
    }
}
`;
}
