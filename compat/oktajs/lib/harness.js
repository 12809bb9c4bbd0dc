'use strict';
// Test harness for the auth-js compatibility suite: builds (or takes) the
// smsmfa binary, runs servers on loopback ports with fresh SQLite databases,
// reads codes from the development SMS sink, and records what auth-js sends.

const { execFile, spawn } = require('node:child_process');
const { promisify } = require('node:util');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { OktaAuth } = require('@okta/okta-auth-js');

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..', '..');

// roomy lifts the per-number, per-user and per-IP SMS limits: every test
// talks from 127.0.0.1 and some numbers serve several users, so the defaults
// would trip partway through the suite. The limits under test (resend
// cooldown, activation attempts) keep their defaults unless a server is
// started with other values.
const roomy = [
  'limit_phone_15m=1000', 'limit_phone_day=10000', 'limit_user_hour=1000',
  'limit_ip_hour=100000', 'shared_number_max_users=10000',
  // The other factors are on too: SMS flows must not change beside them.
  'call_enabled=true', 'totp_enabled=true', 'webauthn_enabled=true',
];

// The longest a test server may live (the suite takes well under a minute).
const maxServerSeconds = 1200;

let binPromise;
const tmpDirs = [];

// smsmfaBinary returns the path of the binary under test: $SMSMFA_BIN, or
// one built (once per test file) with `go build ./cmd/smsmfa` from the
// repository root.
function smsmfaBinary() {
  if (!binPromise) {
    binPromise = (async () => {
      if (process.env.SMSMFA_BIN) {
        await fsp.access(process.env.SMSMFA_BIN, fs.constants.X_OK);
        return process.env.SMSMFA_BIN;
      }
      await fsp.access(path.join(repoRoot, 'cmd', 'smsmfa'));
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'smsmfa-oktajs-bin-'));
      tmpDirs.push(dir);
      const out = path.join(dir, 'smsmfa');
      await execFileP('go', ['build', '-buildvcs=false', '-o', out, './cmd/smsmfa'],
        { cwd: repoRoot, maxBuffer: 64 << 20 });
      return out;
    })();
  }
  return binPromise;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

class Server {
  constructor(name, dir, bin) {
    this.name = name;
    this.dir = dir;
    this.bin = bin;
    this.logPath = path.join(dir, 'server.log');
  }

  env() {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('SMSMFA_')) env[k] = v;
    }
    env.SMSMFA_DATABASE = 'sqlite:' + path.join(this.dir, 'smsmfa.db');
    return env;
  }

  // cli runs an smsmfa command against this server's database; it resolves
  // to the command's standard output.
  async cli(...args) {
    try {
      const { stdout } = await execFileP(this.bin, args, { cwd: this.dir, env: this.env() });
      return stdout;
    } catch (e) {
      throw new Error(`smsmfa ${args.join(' ')}: ${e.message}\n${e.stdout || ''}${e.stderr || ''}`);
    }
  }

  async start(settings, setup) {
    await this.cli('sms', 'enable');
    if (settings.length) await this.cli('settings', 'set', ...settings);
    if (setup) await setup(this);
    // A token acts for an active administrator.
    await this.cli('user', 'create', '--login', 'compat-admin@example.com', '--password', 'Compat-Admin-Pass-2026', '--admin');
    const token = (await this.cli('token', 'create', '--name', 'compat')).trim();
    if (!token || /\s/.test(token)) throw new Error(`token create printed ${JSON.stringify(token)}`);
    this.token = token;
    const port = await freePort();
    this.hostport = `127.0.0.1:${port}`;
    this.url = `http://${this.hostport}`;
    const log = fs.openSync(this.logPath, 'a');
    // GNU timeout bounds the server's life even if this process is killed
    // outright (node's test runner SIGKILLs a test file when its own output
    // pipe closes, and then no exit hook runs); it passes SIGTERM on.
    this.proc = spawn('timeout', ['--signal=TERM', '--kill-after=10', String(maxServerSeconds), this.bin,
      'serve', '--dev', '--addr', this.hostport, '--base-url', this.url, '--password-memory', '1024', '--password-time', '1'],
    { cwd: this.dir, env: this.env(), stdio: ['ignore', log, log] });
    fs.closeSync(log);
    running.add(this.proc);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      running.delete(this.proc);
      resolve({ code, signal });
    }));
    let dead = null;
    this.exited.then((r) => { dead = r; });
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        const res = await fetch(this.url + '/healthz');
        await res.arrayBuffer();
        if (res.status === 200) return this;
      } catch { /* not listening yet */ }
      if (dead) throw new Error(`smsmfa serve exited before it was healthy (${JSON.stringify(dead)}):\n${this.logTail()}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`GET ${this.url}/healthz did not answer 200 within 30 s:\n${this.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15000);
    const r = await this.exited;
    clearTimeout(timer);
    if (r.code !== 0) throw new Error(`smsmfa serve ended with ${JSON.stringify(r)} after SIGTERM:\n${this.logTail()}`);
  }

  logTail(n = 60) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
    } catch {
      return '(no log)';
    }
  }

  // createUser makes an ACTIVE user with a password through the Users API
  // (POST /api/v1/users?activate=true with the SSWS token; faster than
  // `smsmfa user create`, which hashes with the production argon2id cost)
  // and returns {username, password} (ready for signInWithCredentials) with
  // the user's id as a non-enumerable property .id.
  async createUser(prefix = 'js') {
    const username = `${prefix}-${unique()}@example.com`;
    const password = `Compat-${unique()}-Pass`;
    const res = await this.api('POST', '/api/v1/users?activate=true', {
      profile: { firstName: 'Dade', lastName: 'Murphy', email: username, login: username },
      credentials: { password: { value: password } },
    });
    if (res.status !== 200 || !res.body || res.body.status !== 'ACTIVE') {
      throw new Error(`creating user ${username}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
    return Object.defineProperty({ username, password }, 'id', { value: res.body.id, enumerable: false });
  }

  async messages() {
    const res = await fetch(this.url + '/dev/sms/messages');
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /dev/sms/messages: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  // mark is the number of messages in the sink now; waitSMS looks only at
  // later ones.
  async mark() {
    return (await this.messages()).length;
  }

  // waitSMS waits (up to 10 s: texts go through the server's outbox) for a
  // message to `to` sent after mark, and returns {message, code}, the code as
  // the sink records it. The text must hold that code and end with the
  // WebOTP line for this server with the same code.
  async waitSMS(to, mark) {
    const deadline = Date.now() + 10000;
    for (;;) {
      const ms = await this.messages();
      for (let i = ms.length - 1; i >= mark; i--) {
        const m = ms[i];
        if (m.to !== to) continue;
        if (!/^\d{6,}$/.test(m.code || '')) throw new Error(`SMS to ${to}: code ${JSON.stringify(m.code)}, want 6 digits or more`);
        const at = m.body.lastIndexOf('\n\n@');
        if (at < 0 || !m.body.slice(0, at).includes(`code is ${m.code}.`) || m.body.slice(at + 3) !== `${this.hostport} #${m.code}`) {
          throw new Error(`SMS to ${to}: text ${JSON.stringify(m.body)}; want it to hold the code ${m.code} and end with @${this.hostport} #${m.code}`);
        }
        return { message: m, code: m.code };
      }
      if (Date.now() > deadline) {
        throw new Error(`no SMS to ${to} within 10 s; messages since the mark went to ${JSON.stringify(ms.slice(mark).map((x) => x.to))}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async since(mark) {
    return (await this.messages()).slice(mark);
  }

  // api calls the management API with the server's SSWS token (for set-up
  // steps auth-js has no call for, such as deleting a factor).
  async api(method, p, body) {
    const res = await fetch(this.url + p, {
      method,
      headers: {
        Authorization: `SSWS ${this.token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  // auth returns an OktaAuth for this server, as an application would make
  // it, plus a log of the requests it sends (through auth-js's public
  // httpRequestInterceptors option; requests are not changed).
  auth() {
    const requests = [];
    const auth = new OktaAuth({
      issuer: this.url,
      httpRequestInterceptors: [(opts) => {
        requests.push({ method: opts.method, url: opts.url, args: opts.args === undefined ? undefined : JSON.parse(JSON.stringify(opts.args)) });
      }],
    });
    return { auth, requests };
  }
}

const servers = new Map();

// If this test process ends without the after() hook (a crash, a closed
// output pipe, an interrupt), take the servers down with it.
const running = new Set();
process.on('exit', () => {
  for (const p of running) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  }
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => process.exit(128 + os.constants.signals[sig]));
}

// server returns the named shared server of this test file, starting it on
// first use. 'fast' has resend_cooldown=0s; 'cooldown' keeps the default
// 30 s. Other names take opts: settings (NAME=VALUE strings, added to the
// roomy limits) and setup, an async function run with the server's command
// line before it starts serving (e.g. to add an SMS provider).
async function server(name, opts = {}) {
  if (!servers.has(name)) {
    servers.set(name, (async () => {
      let settings = opts.settings || [];
      if (name === 'fast') settings = ['resend_cooldown=0s'];
      const bin = await smsmfaBinary();
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `smsmfa-oktajs-${name}-`));
      tmpDirs.push(dir);
      return new Server(name, dir, bin).start([...settings, ...roomy], opts.setup);
    })());
  }
  return servers.get(name);
}

// stopAll stops every server of this test file; on failure it prints the
// servers' logs.
async function stopAll({ printLogs = false } = {}) {
  const errors = [];
  for (const p of servers.values()) {
    let s;
    try {
      s = await p;
    } catch (e) {
      errors.push(e);
      continue;
    }
    try {
      await s.stop();
    } catch (e) {
      errors.push(e);
    }
    if (printLogs || errors.length) {
      process.stderr.write(`--- last lines of the ${s.name} server's log (${s.url}):\n${s.logTail()}\n---\n`);
    }
  }
  servers.clear();
  for (const d of tmpDirs.splice(0)) await fsp.rm(d, { recursive: true, force: true });
  if (errors.length) throw errors[0];
}

let counter = 0;
function unique() {
  counter++;
  return `${process.pid}-${Date.now() % 1e8}-${counter}`;
}

let phoneCounter = 0;
// phoneNumber returns a distinct valid US number in E.164 (+1 628 400 12NN)
// for each call, so that each test reads its own texts in the sink.
function phoneNumber() {
  phoneCounter++;
  return `+162840012${String(10 + (phoneCounter % 90)).padStart(2, '0')}`;
}

// wrongCode returns a code of the same length that is not code.
function wrongCode(code) {
  return [...code].map((c) => String((Number(c) + 1) % 10)).join('');
}

// last returns the last recorded request whose URL contains part.
function lastRequest(requests, part) {
  for (let i = requests.length - 1; i >= 0; i--) {
    if (requests[i].url.includes(part)) return requests[i];
  }
  return undefined;
}

module.exports = { server, stopAll, phoneNumber, wrongCode, lastRequest, unique };
