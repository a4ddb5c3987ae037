/**
 * A real single-node Slurm cluster for tests: Debian's munged, slurmctld and slurmd started as three
 * detached processes in a temporary folder, on 127.0.0.1 and free ports, stopped again by their PIDs.
 * The recipe and its pitfalls are measured in shared/notes/slurm.md (copied facts are cited inline).
 * Test-only: nothing in the CLI imports this file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { join } from 'node:path';

const daemons = ['munged', 'mungekey', 'munge', 'unmunge', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo', 'scancel'];

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Why a local Slurm cluster cannot be started here, or undefined if it can: the Debian packages
 * `slurmctld slurmd slurm-client munge` must be installed, and the daemons run as root (SlurmUser=root).
 */
export function localSlurmUnavailable(): string | undefined {
  const missing = daemons.filter((d) => !onPath(d));
  if (missing.length > 0) return `Slurm is not installed (missing ${missing.join(', ')}): apt-get install slurmctld slurmd slurm-client munge`;
  if (process.getuid?.() !== 0) return 'starting munged/slurmctld/slurmd needs root';
  return undefined;
}

/** A running test cluster. */
export interface LocalSlurm {
  dir: string;
  /** The environment every Slurm client needs (`SLURM_CONF`). */
  env: NodeJS.ProcessEnv;
  /** Cancels every job, then stops slurmd, slurmctld and munged by PID (SIGKILL after 15 s). */
  stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Alive = /proc/PID/stat exists, is not a zombie and names `program` (slurm.md gotcha 8: PID 1 reaps late). */
function alive(pid: number, program: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return name === program.slice(0, 15) && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number, log?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`local Slurm: ${what} did not happen within ${timeoutMs} ms${log === undefined || !existsSync(log) ? '' : `; ${log}:\n${readFileSync(log, 'utf8').slice(-2000)}`}`);
    await sleep(50);
  }
}

/** Starts a daemon in its own session with output to a log (an inherited pipe would hang the caller: slurm.md §6). */
function daemon(command: string, args: string[], log: string, env: NodeJS.ProcessEnv): number {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
    child.unref();
    if (child.pid === undefined) throw new Error(`local Slurm: could not start ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts the cluster in `dir` (which must be empty or new) with `cpus` CPUs (advertised; more than the
 * real cores is allowed) and waits until a probe job has run to completion (slurm.md gotcha 2: an idle
 * node is not yet scheduling).
 */
export async function startLocalSlurm(dir: string, options: { cpus?: number } = {}): Promise<LocalSlurm> {
  for (const sub of ['etc', 'state', 'spool', 'log', 'pids', 'munge', 'fakedev']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 });
  chmodSync(join(dir, 'munge'), 0o711);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const pids: Array<{ pid: number; program: string }> = [];
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: join(dir, 'etc', 'slurm.conf') };
  const stop = async () => {
    const queued = spawnSync('squeue', ['-h', '-o', '%A'], { env, encoding: 'utf8' });
    const jobs = [...new Set((queued.stdout ?? '').split('\n').map((s) => s.trim()).filter((s) => s.length > 0))];
    if (jobs.length > 0) spawnSync('scancel', jobs, { env, stdio: 'ignore' });
    for (const group of [pids.filter((p) => p.program !== 'munged'), pids.filter((p) => p.program === 'munged')]) {
      for (const { pid } of group) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone already
        }
      }
      const end = Date.now() + 15_000;
      while (group.some((p) => alive(p.pid, p.program)) && Date.now() < end) await sleep(50);
      for (const p of group) {
        if (alive(p.pid, p.program)) process.kill(p.pid, 'SIGKILL');
      }
    }
  };
  try {
    const key = join(dir, 'munge', 'munge.key');
    const socket = join(dir, 'munge', 'munge.socket');
    const made = spawnSync('mungekey', ['--create', `--keyfile=${key}`], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`local Slurm: mungekey failed: ${made.stderr}`);
    chmodSync(key, 0o600);
    pids.push({ program: 'munged', pid: daemon('munged', ['--foreground', '--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${join(dir, 'pids', 'munged.pid')}`, `--seed-file=${join(dir, 'munge', 'munge.seed')}`], join(dir, 'log', 'munged.out'), env) });
    await until('munged answering', () => {
      const cred = spawnSync('munge', ['-S', socket, '-n'], { encoding: 'utf8' });
      return cred.status === 0 && spawnSync('unmunge', ['-S', socket], { input: cred.stdout, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
    }, 10_000, join(dir, 'log', 'munged.out'));

    const cpus = options.cpus ?? 2;
    const realMemory = Math.floor((totalmem() / 1024 / 1024) * 0.9);
    const conf = [
      'ClusterName=adaloratest', 'SlurmctldHost=localhost', `SlurmctldPort=${ctldPort}`, `SlurmdPort=${dPort}`,
      'SlurmUser=root', 'SlurmdUser=root', 'AuthType=auth/munge', 'CredType=cred/munge', `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`, `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'pids', 'slurmctld.pid')}`, `SlurmdPidFile=${join(dir, 'pids', 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`, `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'SlurmctldDebug=info', 'SlurmdDebug=info', 'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/filetxt', `JobCompLoc=${join(dir, 'log', 'jobcomp.txt')}`, 'MpiDefault=none', 'MailProg=/bin/true',
      'SwitchType=switch/none', 'SchedulerType=sched/backfill', 'SchedulerParameters=batch_sched_delay=0',
      'DependencyParameters=kill_invalid_depend', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core',
      'ReturnToService=2', 'MinJobAge=600', 'KillWait=5', 'InactiveLimit=0', 'Waittime=0', 'SlurmdTimeout=300',
      'SlurmdParameters=config_overrides', 'EnforcePartLimits=ALL', 'GresTypes=gpu',
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus} Sockets=1 CoresPerSocket=${cpus} ThreadsPerCore=1 RealMemory=${realMemory} Gres=gpu:1 State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'etc', 'slurm.conf'), conf);
    // One fake GPU (slurm.md gotcha 6: only a device file works; a symlink to /dev/null is one).
    symlinkSync('/dev/null', join(dir, 'fakedev', 'gpu0'));
    writeFileSync(join(dir, 'etc', 'gres.conf'), `NodeName=localhost Name=gpu File=${join(dir, 'fakedev', 'gpu0')}\n`);

    const confPath = join(dir, 'etc', 'slurm.conf');
    pids.push({ program: 'slurmctld', pid: daemon('slurmctld', ['-D', '-c', '-i', '-f', confPath], join(dir, 'log', 'slurmctld.out'), env) });
    await until('slurmctld UP', () => (spawnSync('scontrol', ['ping'], { env, encoding: 'utf8' }).stdout ?? '').includes('UP'), 15_000, join(dir, 'log', 'slurmctld.log'));
    pids.push({ program: 'slurmd', pid: daemon('slurmd', ['-D', '-N', 'localhost', '-f', confPath], join(dir, 'log', 'slurmd.out'), env) });
    await until('node idle', () => (spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' }).stdout ?? '').trim() === 'idle', 15_000, join(dir, 'log', 'slurmd.log'));

    const probe = spawnSync('sbatch', ['--parsable', '-o', '/dev/null', '--wrap', 'true'], { env, encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`local Slurm: probe job refused: ${probe.stderr}`);
    const id = probe.stdout.trim().split(';')[0] as string;
    await until('probe job finished', () => (spawnSync('squeue', ['-h', '-j', id], { env, encoding: 'utf8' }).stdout ?? '').trim() === '', 20_000, join(dir, 'log', 'slurmctld.log'));
    const state = spawnSync('scontrol', ['-o', 'show', 'job', id], { env, encoding: 'utf8' }).stdout ?? '';
    if (!state.includes('JobState=COMPLETED')) throw new Error(`local Slurm: probe job did not complete: ${state}`);
    for (const p of pids) if (!alive(p.pid, p.program)) throw new Error(`local Slurm: ${p.program} (pid ${p.pid}) died; see ${join(dir, 'log')}`);
    return { dir, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
