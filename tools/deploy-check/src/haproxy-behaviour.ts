import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import { readHaproxyConfig } from './haproxy-config.ts';

/**
 * deploy/haproxy.cfg run for real in front of stand-in nodes on loopback ports: one small HTTP
 * server per compose host that says who it is, answers /readyz, and (realtime nodes) accepts
 * WebSockets. It shows what `haproxy -c` cannot: that requests and sockets reach the right
 * nodes, /metrics stays private, the client's address is forwarded, and a node whose /readyz
 * fails is taken out. Only the addresses change (compose names → 127.0.0.1 ports), and maxconn,
 * which compose backs with a raised file limit that this machine may not give.
 */
interface StandIn {
  name: string;
  server: Server;
  port: number;
  ready: boolean;
  seen: { path: string; headers: IncomingHttpHeaders }[];
}

export async function haproxyBehaviourProblems(configText: string, scratch: string): Promise<string[]> {
  const facts = readHaproxyConfig(configText);
  const standIns = new Map<string, StandIn>();
  let haproxy: ChildProcess | undefined;
  try {
    for (const host of new Set(facts.servers.map((server) => server.host)))
      standIns.set(host, await startStandIn(host));
    const [lbPort, statsPort] = await freePorts(2);
    const config = configText
      .replace(/^(\s*bind\s+):8080\b/m, `$1127.0.0.1:${lbPort}`)
      .replace(/^(\s*bind\s+):8404\b/m, `$1127.0.0.1:${statsPort}`)
      .replace(/^(\s*maxconn\s+)\d+/m, '$1500')
      .replace(/^(\s*server\s+\S+\s+)([^\s:]+):\d+/gm, (_, head: string, host: string) => {
        return `${head}127.0.0.1:${standIns.get(host)!.port}`;
      });
    if (!config.includes(`127.0.0.1:${lbPort}`) || !config.includes(`127.0.0.1:${statsPort}`))
      return ['haproxy.cfg no longer binds :8080 and :8404; update haproxy-behaviour.ts'];
    const configPath = join(scratch, 'haproxy-loopback.cfg');
    writeFileSync(configPath, config);
    haproxy = await startHaproxy(configPath);

    const lb = `127.0.0.1:${lbPort}`;
    const status = () => serverStatus(`http://127.0.0.1:${statsPort}/;csv`);
    const problems: string[] = [];
    if (!(await waitFor(async () => Object.values(await status()).every((s) => s === 'UP'), 20_000)))
      return [`not every node came UP behind the balancer: ${JSON.stringify(await status())}`];

    const api = standIns.get('api')!;
    const rest = await fetch(`http://${lb}/v1/channels/query`, { method: 'POST' });
    if ((await rest.text()) !== 'api') problems.push('a REST request did not reach the api node');
    if (api.seen.at(-1)?.headers['x-forwarded-for'] !== '127.0.0.1')
      problems.push("the api node did not get the client's address in X-Forwarded-For");
    const file = await fetch(`http://${lb}/chat-media/some/file.png`);
    if ((await file.text()) !== 's3') problems.push('a /chat-media/ path did not reach the storage');
    const metrics = await fetch(`http://${lb}/metrics`);
    if (metrics.status !== 404 || api.seen.some((request) => request.path.startsWith('/metrics')))
      problems.push('/metrics went through the balancer');

    // Two sockets at once: fewest connections first, so one on each realtime node.
    const first = await openSocket(`ws://${lb}/v1/ws?api_key=check`);
    const second = await openSocket(`ws://${lb}/v1/ws?api_key=check`);
    const nodes = [first.node, second.node].sort().join(' ');
    if (nodes !== 'realtime-1 realtime-2')
      problems.push(`two sockets went to ${nodes}, not one per realtime node`);
    first.socket.close();
    second.socket.close();

    standIns.get('realtime-1')!.ready = false;
    if (!(await waitFor(async () => (await status())['realtime/realtime-1'] === 'DOWN', 15_000)))
      problems.push('a realtime node answering 503 on /readyz was not taken out');
    else {
      const third = await openSocket(`ws://${lb}/v1/ws?api_key=check`);
      if (third.node !== 'realtime-2') problems.push(`a socket went to ${third.node}, which is not ready`);
      third.socket.close();
    }
    return problems;
  } finally {
    haproxy?.kill('SIGTERM');
    for (const standIn of standIns.values()) standIn.server.close();
  }
}

async function startStandIn(name: string): Promise<StandIn> {
  const standIn: StandIn = { name, server: createServer(), port: 0, ready: true, seen: [] };
  standIn.server.on('request', (request, response) => {
    standIn.seen.push({ path: request.url ?? '', headers: request.headers });
    if (request.url === '/readyz') response.writeHead(standIn.ready ? 200 : 503).end();
    else response.writeHead(200).end(name);
  });
  const sockets = new WebSocketServer({ noServer: true });
  standIn.server.on('upgrade', (request, socket, head) => {
    if (!name.startsWith('realtime') || !request.url?.startsWith('/v1/ws')) return socket.destroy();
    sockets.handleUpgrade(request, socket, head, (ws) => ws.send(name));
  });
  standIn.server.listen(0, '127.0.0.1');
  await once(standIn.server, 'listening');
  standIn.port = (standIn.server.address() as AddressInfo).port;
  return standIn;
}

async function startHaproxy(configPath: string): Promise<ChildProcess> {
  const child = spawn('haproxy', ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const failed = await Promise.race([
    once(child, 'error').then(([error]) => error as NodeJS.ErrnoException),
    once(child, 'exit').then(() => new Error(`haproxy exited:\n${output}`)),
    sleep(1_000).then(() => null),
  ]);
  if (failed && (failed as NodeJS.ErrnoException).code === 'ENOENT')
    throw new Error('haproxy is not installed: apt-get install -y --no-install-recommends haproxy');
  if (failed) throw failed;
  return child;
}

/** `backend/server` → UP, DOWN… from HAProxy's stats page. */
async function serverStatus(url: string): Promise<Record<string, string>> {
  const csv = await (await fetch(url)).text();
  const statuses: Record<string, string> = {};
  for (const line of csv.split('\n').slice(1)) {
    const fields = line.split(',');
    if (fields.length > 17 && fields[1] !== 'FRONTEND' && fields[1] !== 'BACKEND')
      statuses[`${fields[0]}/${fields[1]}`] = fields[17]!.split(' ')[0]!;
  }
  return statuses;
}

/** A socket through the balancer, and the node that answered it (it sends its name). */
function openSocket(url: string): Promise<{ socket: WebSocket; node: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const fail = (reason: string) => {
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(`a WebSocket to /v1/ws through the balancer failed: ${reason}`));
    };
    const timer = setTimeout(() => fail('no node answered within 5 s'), 5_000);
    socket.once('message', (data) => {
      clearTimeout(timer);
      resolve({ socket, node: data.toString() });
    });
    socket.once('error', (error) => fail(error.message));
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return true;
    await sleep(250);
  }
  return false;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer().listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
