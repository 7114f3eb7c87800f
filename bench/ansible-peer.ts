import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { timedRunOk } from './timed-run';

/*
 * The peer a user would pick instead of legacy-deploy: Debian's Ansible with community.docker, running
 * bench/ansible/playbook.yml (copy the config folder, declare the container, reload on change, wait for
 * /-/ready) against the same test host through the same delayed link. Each run starts cold, as a user's next deploy
 * would: the ControlPersist master that Ansible's SSH leaves behind is stopped (by its pid) after every run.
 */

const ANSIBLE_DIR = resolve(__dirname, 'ansible');

/** The values bench/ansible/playbook.yml expects as extra vars. */
export interface AnsibleJob {
  readonly sshPort: number;
  readonly user: string;
  readonly identity: string;
  readonly knownHosts: string;
  readonly assetsDir: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly dockerSocket: string;
  readonly containerName: string;
  readonly image: string;
  readonly httpPort: number;
  readonly centralEndpoint: string;
  readonly hostPaths: {
    readonly dockerSocket: string;
    readonly varLog: string;
    readonly proc: string;
    readonly sys: string;
  };
}

export interface AnsibleRun {
  readonly seconds: number;
  /** `changed=N` from the play recap. */
  readonly changed: number;
}

export interface AnsiblePeer {
  run(): Promise<AnsibleRun>;
  /** Stops any SSH control master still running (after a failed run). */
  stop(): void;
}

/** `pipelining`: Ansible's ANSIBLE_PIPELINING (off as installed), which runs modules without a temp file upload. */
export function ansiblePeer(job: AnsibleJob, workDir: string, options: { pipelining: boolean }): AnsiblePeer {
  const controlDir = join(workDir, 'cp');
  const localTemp = join(workDir, 'tmp');
  for (const d of [controlDir, localTemp]) mkdirSync(d, { recursive: true });
  const varsFile = join(workDir, 'vars.json');
  writeFileSync(
    varsFile,
    JSON.stringify({
      ansible_port: job.sshPort,
      ansible_user: job.user,
      ansible_ssh_private_key_file: job.identity,
      ansible_ssh_common_args: `-o UserKnownHostsFile=${job.knownHosts} -o StrictHostKeyChecking=yes`,
      assets_dir: job.assetsDir,
      config_dir: job.configDir,
      data_dir: job.dataDir,
      docker_socket: job.dockerSocket,
      container_name: job.containerName,
      image: job.image,
      http_port: job.httpPort,
      central_endpoint: job.centralEndpoint,
      host_paths: job.hostPaths,
    }),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SSH_AUTH_SOCK: '',
    ANSIBLE_CONFIG: join(ANSIBLE_DIR, 'ansible.cfg'),
    ANSIBLE_LOCAL_TEMP: localTemp,
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_PIPELINING: options.pipelining ? 'True' : 'False',
  };

  /** `ssh -O check` names the master's pid; it is a daemon of ssh's own, outside our process tree. */
  const stopControlMasters = () => {
    if (!existsSync(controlDir)) return;
    for (const socket of readdirSync(controlDir)) {
      const check = spawnSync('ssh', ['-O', 'check', '-o', `ControlPath=${join(controlDir, socket)}`, 'nas'], {
        encoding: 'utf8',
      });
      const pid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
      if (pid > 0) process.kill(pid, 'SIGTERM');
    }
  };

  return {
    async run() {
      try {
        const r = await timedRunOk('ansible-playbook', ['-e', `@${varsFile}`, join(ANSIBLE_DIR, 'playbook.yml')], {
          cwd: ANSIBLE_DIR,
          env,
        });
        const recap = /^nas\s*:.*\bchanged=(\d+)/m.exec(r.stdout);
        if (!recap) throw new Error(`ansible-playbook printed no recap: ${r.stdout}`);
        return { seconds: r.seconds, changed: Number(recap[1]) };
      } finally {
        stopControlMasters();
      }
    },
    stop: stopControlMasters,
  };
}
