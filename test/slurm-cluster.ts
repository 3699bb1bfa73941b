/**
 * A real single-node Slurm for the tests: this host as controller and compute node, from
 * Debian's packages (slurm-wlm, munge), installed when missing. Everything it writes - munge
 * key and socket, slurm.conf, state, spool, logs - lives in one temporary folder and the
 * daemons find each other through SLURM_CONF and munge's socket path in it, so nothing global
 * is touched and a system Slurm, if any, is left alone. When a Slurm is already reachable
 * (`sinfo` works) it is used as it is and not stopped.
 *
 * Also runnable by hand: `npx tsx test/slurm-cluster.ts` starts one, prints its SLURM_CONF and
 * waits; Ctrl-C stops it.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Cluster {
  /** Environment to give every Slurm client (sbatch, squeue, sinfo) and so the sweep CLI. */
  env: Record<string, string>;
  /** True when this helper started the daemons (and so stops them). */
  started: boolean;
  /** Seconds spent installing packages (0 when they were there). */
  installSeconds: number;
  /** Seconds from start to the node being idle. */
  upSeconds: number;
  stop(): Promise<void>;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 300_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Install slurm-wlm and munge from Debian's packages; a clear error when that is not possible. */
function install(): number {
  const need = ['sbatch', 'squeue', 'sinfo', 'slurmctld', 'slurmd', 'munged'].filter((c) => !has(c));
  if (!need.length) return 0;
  const started = Date.now();
  const why = `the Slurm tests need a real Slurm (missing: ${need.join(', ')})`;
  if (!has('apt-get')) throw new Error(`${why}; apt-get is not available here: install slurm-wlm and munge (Slurm's controller, node daemon, client commands) yourself`);
  if (process.getuid?.() !== 0) throw new Error(`${why}; installing them needs root: run 'apt-get install slurm-wlm munge' as root`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // The lock timeout waits out another apt (scripts/setup.sh, a colleague's install) instead of failing.
  const args = ['-o', 'DPkg::Lock::Timeout=180', 'install', '-y', '-qq', '--no-install-recommends', 'slurm-wlm', 'munge'];
  // A fresh image may have no package lists (or stale ones): update only when the install fails.
  let r = run('apt-get', args, env);
  if (!r.ok) {
    const u = run('apt-get', ['update', '-qq'], env);
    r = u.ok ? run('apt-get', args, env) : u;
  }
  if (!r.ok) throw new Error(`${why}; 'apt-get install slurm-wlm munge' failed:\n${r.out.slice(-2000)}`);
  return (Date.now() - started) / 1000;
}

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tail = (f: string) => { try { return fs.readFileSync(f, 'utf8').trim().split('\n').slice(-15).join('\n'); } catch { return '(no log)'; } };

/** Is a Slurm reachable with the current environment? */
function reachable(env: NodeJS.ProcessEnv): boolean {
  const r = run('sinfo', ['-h', '-o', '%T'], env);
  return r.ok && /\b(idle|mix|mixed|alloc|allocated)\b/.test(r.out);
}

export async function startCluster(): Promise<Cluster> {
  const t0 = Date.now();
  if (has('sinfo') && reachable(process.env)) {
    return { env: {}, started: false, installSeconds: 0, upSeconds: (Date.now() - t0) / 1000, stop: async () => {} };
  }
  const installSeconds = install();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-slurm-'));
  const p = (...a: string[]) => path.join(dir, ...a);
  for (const d of ['munge', 'state', 'spool', 'log']) fs.mkdirSync(p(d), { mode: 0o700 });
  // A private munge key: the cluster's daemons and clients are all this host's, so any key works.
  const key = p('munge', 'munge.key');
  fs.writeFileSync(key, crypto.randomBytes(1024), { mode: 0o400 });
  const socket = p('munge', 'munge.socket');

  const host = run('hostname', ['-s']).out.trim() || os.hostname().split('.')[0];
  // The node's CPUs, sockets, cores and memory as slurmd itself sees them, so it registers without a mismatch.
  const hw = run('slurmd', ['-C']).out.split('\n').find((l) => l.startsWith('NodeName='));
  const hwFields = (hw ?? `NodeName=${host} CPUs=${os.cpus().length} RealMemory=${Math.floor(os.totalmem() / 2 ** 20)}`)
    .split(/\s+/).filter((f) => /^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=/.test(f)).join(' ');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = p('slurm.conf');
  fs.writeFileSync(conf, [
    '# single-node Slurm for antforge tests (test/slurm-cluster.ts)',
    'ClusterName=antforge',
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    `AuthInfo=socket=${socket}`,
    'AuthType=auth/munge',
    'CredType=cred/munge',
    'MpiDefault=none',
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'SelectType=select/cons_tres',
    // Cores only: memory is not a consumable, so jobs without --mem do not each claim the whole node.
    'SelectTypeParameters=CR_Core',
    'SchedulerType=sched/backfill',
    'SchedulerParameters=sched_interval=1',
    'ReturnToService=2',
    'SlurmdParameters=config_overrides',
    'MinJobAge=60',
    'KillWait=5',
    `StateSaveLocation=${p('state')}`,
    `SlurmdSpoolDir=${p('spool')}`,
    `SlurmctldPidFile=${p('slurmctld.pid')}`,
    `SlurmdPidFile=${p('slurmd.pid')}`,
    `SlurmctldLogFile=${p('log', 'slurmctld.log')}`,
    `SlurmdLogFile=${p('log', 'slurmd.log')}`,
    `NodeName=${host} NodeAddr=127.0.0.1 ${hwFields} State=UNKNOWN`,
    'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
    '',
  ].join('\n'));
  const env = { SLURM_CONF: conf };
  const daemonEnv = { ...process.env, ...env };

  const started: { name: string; pid: number; exited: Promise<void> }[] = [];
  const startDaemon = (name: string, cmd: string, args: string[]) => {
    const out = fs.openSync(p('log', `${name}.out`), 'a');
    const child = spawn(cmd, args, { env: daemonEnv, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.unref();
    started.push({ name, pid: child.pid!, exited });
  };
  const stop = async () => {
    if (reachable(daemonEnv)) run('scancel', ['--full', '--quiet', '--partition', 'debug'], daemonEnv);
    // Reverse order: slurmd, then slurmctld, then munged; each by the pid this helper started.
    for (const d of [...started].reverse()) {
      try { process.kill(d.pid, 'SIGTERM'); } catch { continue; }
      const gone = await Promise.race([d.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!gone) { try { process.kill(d.pid, 'SIGKILL'); } catch { /* gone meanwhile */ } await d.exited; }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    // --force: munged refuses to run as root otherwise; the key and socket are private to this folder anyway.
    startDaemon('munged', 'munged', ['--foreground', '--force', `--key-file=${key}`, `--socket=${socket}`,
      `--pid-file=${p('munge', 'munged.pid')}`, `--log-file=${p('log', 'munged.log')}`, `--seed-file=${p('munge', 'munged.seed')}`]);
    const waitFor = async (what: string, ok: () => boolean, log: string, seconds = 60) => {
      const deadline = Date.now() + seconds * 1000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`test Slurm: ${what} did not happen within ${seconds} s; ${log}:\n${tail(log)}`);
        await sleep(200);
      }
    };
    await waitFor('munged listening', () => fs.existsSync(socket), p('log', 'munged.log'));
    startDaemon('slurmctld', 'slurmctld', ['-D', '-i', '-f', conf]);
    await waitFor('slurmctld answering', () => run('scontrol', ['ping'], daemonEnv).out.includes('is UP'), p('log', 'slurmctld.log'));
    startDaemon('slurmd', 'slurmd', ['-D', '-f', conf, '-N', host]);
    await waitFor(`node ${host} idle`, () => run('sinfo', ['-h', '-n', host, '-o', '%T'], daemonEnv).out.trim() === 'idle', p('log', 'slurmd.log'));
  } catch (e) {
    await stop();
    throw e;
  }
  return { env, started: true, installSeconds, upSeconds: (Date.now() - t0) / 1000, stop };
}

// By hand: start, print, wait for Ctrl-C.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const c = await startCluster();
  process.stdout.write(`Slurm up in ${c.upSeconds.toFixed(1)} s (install ${c.installSeconds.toFixed(1)} s)${c.started ? `; export SLURM_CONF=${c.env.SLURM_CONF}` : ' (already running)'}\n`);
  const bye = async () => { await c.stop(); process.exit(0); };
  process.on('SIGINT', bye);
  process.on('SIGTERM', bye);
  setInterval(() => {}, 1 << 30);
}
