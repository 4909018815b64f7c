// The web lab: curl and a pipelining client against Node's own http and https servers (web-server.mjs)
// through the tap lab's router, recorded by tcpdump at the client. Certificates are made for each run
// with openssl. This kernel has no netem, so the router impairs the bulk transfers itself: nftables drops
// and duplicates segments at random, and a slow htb class that nftables sends a few segments to reorders
// them. The slow reader has a small receive buffer. Every process has a time limit; the namespaces go
// with the lab.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/corpus.js';
import { runIn, startIn, tcpdumpIn } from '../helpers/netns.js';
import { createTapLab, Net, nft, type TapLab } from './tap-lab.js';

const HOST = 'web.lab.test';
const CURL_LIMIT_S = '30';

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
}

/** A CA, a server certificate for HOST (RSA, with its SAN) and a client certificate, both signed by the CA. */
function makeCertificates(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/C=DE/O=tsshark lab/CN=lab CA']);
  for (const [name, subject, extension] of [
    ['server', `/C=DE/O=tsshark lab/CN=${HOST}`, `subjectAltName=DNS:${HOST},DNS:www.${HOST}`],
    ['client', '/C=DE/O=tsshark lab/CN=lab client', 'extendedKeyUsage=clientAuth'],
  ]) {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  }
}

/** curl in the client namespace; `fails` when the scenario expects curl to give up (the bad certificate). */
function curl(ns: string, certs: string, args: readonly string[], fails = false): void {
  const common = ['curl', '-s', '-o', '/dev/null', '--max-time', CURL_LIMIT_S, '--resolve', `${HOST}:443:${Net.SERVER_IP}`, '--resolve', `${HOST}:8443:${Net.SERVER_IP}`];
  try {
    runIn(ns, [...common, ...(fails ? [] : ['--cacert', join(certs, 'ca.crt')]), ...args]);
    if (fails) throw new Error(`curl ${args.join(' ')} was expected to fail`);
  } catch (error) {
    if (!fails) throw error;
  }
}

/**
 * On the router, for segments from the web server to the client: 1.5% dropped, 1% sent twice, 4% through
 * an htb class of 8 Mbit/s (the others' is 10 Gbit/s), which delivers them behind later ones. Returns
 * what undoes it.
 */
function impair(lab: TapLab): () => void {
  // stderr kept for the error a failure throws, not printed: htb warns that a 10 Gbit/s class's quantum is big.
  const tc = (...args: string[]) => execFileSync('ip', ['netns', 'exec', lab.router, 'tc', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const dev = Net.ROUTER_CLIENT_IF;
  tc('qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10');
  tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
  tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '8mbit');
  const web = `ip saddr ${Net.SERVER_IP} tcp sport { 80, 443 }`;
  // One statement a line: nft's parser takes `1:20` after a `;` on one line for a syntax error.
  nft(lab.router, `table ip tss_impair {
  chain forward {
    type filter hook forward priority 0;
    ${web} numgen random mod 1000 < 15 drop
    ${web} numgen random mod 100 < 4 meta priority set 1:20
  }
}
table netdev tss_duplicate {
  chain egress {
    type filter hook egress device ${dev} priority 0;
    ${web} numgen random mod 100 < 1 dup to ${dev}
  }
}
`);
  return () => {
    nft(lab.router, 'delete table ip tss_impair\ndelete table netdev tss_duplicate\n');
    tc('qdisc', 'del', 'dev', dev, 'root');
  };
}

/**
 * Records every scenario into `file` (pcap, nanoseconds), captured at the client's veth; returns how many
 * packets tcpdump says the kernel dropped before it could copy them (the capture's own loss).
 */
export async function recordWebLab(file: string): Promise<number> {
  const certs = mkdtempSync(join(tmpdir(), 'tsshark-web-'));
  const lab = createTapLab();
  try {
    makeCertificates(certs);
    // MSS-sized segments as a NIC sends them, not the veth's 64 KB GSO packets: loss and reordering hit
    // single segments.
    execFileSync('ip', ['-n', lab.server, 'link', 'set', Net.SERVER_IF, 'gso_max_segs', '1']);
    // A large capture buffer: tcpdump dropping a burst would leave holes no real loss made.
    const capture = tcpdumpIn(lab.client, ['-i', Net.CLIENT_IF, '-s', '0', '-B', '65536', '-w', file, 'tcp']);
    await capture.ready;
    const server = startIn(lab.server, [process.execPath, join(repoRoot, 'test/lab/web-server.mjs'), certs], 'web lab ready');
    await server.ready;
    const https = (path: string, port = 443) => `https://${HOST}${port === 443 ? '' : `:${port}`}${path}`;
    const http = (path: string) => `http://${Net.SERVER_IP}${path}`;
    const c = (args: readonly string[], fails = false) => curl(lab.client, certs, args, fails);

    c(['--http1.1', https('/'), https('/json')]);
    c(['--tls-max', '1.2', '--ciphers', 'ECDHE-RSA-AES128-GCM-SHA256', https('/chunked')]);
    c(['--tls-max', '1.2', '--ciphers', 'ECDHE-RSA-CHACHA20-POLY1305', '--compressed', https('/gzip')]);
    c(['--tls13-ciphers', 'TLS_AES_256_GCM_SHA384', https('/one')]);
    c(['--tls-max', '1.2', '--cert', join(certs, 'client.crt'), '--key', join(certs, 'client.key'), https('/mutual', 8443)]);
    c(['--cert', join(certs, 'client.crt'), '--key', join(certs, 'client.key'), https('/mutual13', 8443)]);
    // A new connection for the second URL resumes the first one's session (ticket).
    c(['--tls-max', '1.2', '-H', 'Connection: close', https('/first'), https('/resumed')]);
    c(['-H', 'Connection: close', https('/first13'), https('/resumed13')]);
    // Tickets, which curl does not ask for: openssl s_client saves the session and offers it again. It
    // waits for the server to close (a request with Connection: close), so a TLS 1.3 ticket arrives first.
    const request = `GET /ticket HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`;
    for (const version of ['-tls1_2', '-tls1_3']) {
      const session = join(certs, `session${version}`);
      for (const keep of ['-sess_out', '-sess_in']) {
        const command = ['openssl', 's_client', '-quiet', '-ign_eof', version, '-connect', `${Net.SERVER_IP}:443`, '-servername', HOST, keep, session];
        execFileSync('ip', ['netns', 'exec', lab.client, ...command], { input: request, stdio: ['pipe', 'ignore', 'ignore'], timeout: 30_000 });
      }
    }
    c(['--ssl-no-revoke', https('/untrusted')], true);
    c([http('/'), http('/json'), http('/missing')]);
    c(['--compressed', http('/gzip'), http('/chunked')]);
    c(['-d', 'name=lab&words=two+words&empty=', http('/form')]);
    runIn(lab.client, [process.execPath, join(repoRoot, 'test/lab/pipeline-client.mjs'), Net.SERVER_IP]);

    // Many MB over many segments, under loss, duplication and reordering: HTTP's body and TLS's records.
    const repair = impair(lab);
    c([http('/big?mb=6')]);
    c([https('/big?mb=3')]);
    repair();

    // A slow reader: a receive buffer of a few segments that it stops reading fills; zero windows, probes.
    runIn(lab.client, ['sysctl', '-q', '-w', 'net.ipv4.tcp_rmem=4096 8192 16384']);
    runIn(lab.client, [process.execPath, join(repoRoot, 'test/lab/slow-reader.mjs'), Net.SERVER_IP, '/big?mb=1']);

    server.child.kill('SIGTERM');
    await server.done;
    await new Promise((resolve) => setTimeout(resolve, 200));
    capture.child.kill('SIGINT');
    const { stderr } = await capture.done;
    return Number(/(\d+) packets? dropped by kernel/.exec(stderr)?.[1] ?? 0);
  } finally {
    lab.remove();
    rmSync(certs, { recursive: true, force: true });
  }
}
