import { readdir, readFile } from "node:fs/promises";

/** CPU (share of one core) and peak memory of named process groups, sampled from /proc. */
export class ResourceSampler {
  readonly #groups: Map<string, () => Promise<number[]>>;
  readonly #last = new Map<string, { ticks: number; at: number }>();
  readonly #cpu = new Map<string, number[]>();
  readonly #rss = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(groups: Record<string, () => Promise<number[]>>) {
    this.#groups = new Map(Object.entries(groups));
  }

  start(everyMs = 2_000): void {
    void this.#sample();
    this.#timer = setInterval(() => void this.#sample(), everyMs);
  }

  stop() {
    clearInterval(this.#timer);
    const result: Record<string, { cpu_percent_avg: number; cpu_percent_max: number; pss_mb_max: number }> = {};
    for (const name of this.#groups.keys()) {
      const cpu = this.#cpu.get(name) ?? [];
      result[name] = {
        cpu_percent_avg: Math.round((cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length)) * 10) / 10,
        cpu_percent_max: Math.round(Math.max(0, ...cpu) * 10) / 10,
        pss_mb_max: Math.round((this.#rss.get(name) ?? 0) / 1024),
      };
    }
    return result;
  }

  async #sample() {
    const now = performance.now();
    for (const [name, pids] of this.#groups) {
      // CPU per process between two samples (a process that appeared or ended counts only while
      // seen twice); memory as PSS, so pages shared between PostgreSQL's processes count once.
      let cpuSeconds = 0;
      let pss = 0;
      let elapsed = 0;
      for (const pid of await pids()) {
        const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
        if (!stat) continue;
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
        const key = `${name}:${pid}`;
        const previous = this.#last.get(key);
        if (previous) {
          cpuSeconds += (ticks - previous.ticks) / 100;
          elapsed = Math.max(elapsed, (now - previous.at) / 1000);
        }
        this.#last.set(key, { ticks, at: now });
        const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => "");
        pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      }
      if (elapsed > 0) this.#cpu.set(name, [...(this.#cpu.get(name) ?? []), (cpuSeconds / elapsed) * 100]);
      this.#rss.set(name, Math.max(this.#rss.get(name) ?? 0, pss));
    }
  }
}

/** A process and all its descendants (PostgreSQL forks one process per connection). */
export async function processTree(root: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

export async function pidFromFile(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number(text.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
