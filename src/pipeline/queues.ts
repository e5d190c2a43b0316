import PQueue from 'p-queue';

/**
 * Politeness for fetches: at most `perHost` requests in flight to one host and `global` over
 * all hosts. A task takes its host slot first and only then a global slot, so requests queued
 * behind one slow host never hold global slots the other hosts could use.
 */
export class HostQueues {
  private readonly global: PQueue;
  private readonly hosts = new Map<string, PQueue>();

  constructor(
    global: number,
    private readonly perHost: number,
  ) {
    this.global = new PQueue({ concurrency: global });
  }

  /** Runs `task` within the limits of the URL's host. */
  run<T>(url: string, task: () => Promise<T>): Promise<T> {
    const host = hostOf(url);
    let q = this.hosts.get(host);
    if (!q) {
      q = new PQueue({ concurrency: this.perHost });
      this.hosts.set(host, q);
      // Forget idle hosts so a run over thousands of hosts does not keep a queue for each.
      q.on('idle', () => {
        if (q!.size === 0 && q!.pending === 0) this.hosts.delete(host);
      });
    }
    return q.add(() => this.global.add(task) as Promise<T>) as Promise<T>;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}
