import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where a Node process spent its CPU: self time by package and by function, from .cpuprofile files. */
export async function summariseProfiles(dir: string, top = 15) {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      if (!node) return;
      const micros = profile.timeDeltas[i] ?? 0;
      total += micros;
      const url = node.callFrame.url;
      const pkg = url === "" ? (node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(native)") : /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith("node:") ? "node core" : url.includes("/packages/") || url.includes("/services/") ? "our code" : url);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
      const fn = `${node.callFrame.functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    });
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()].sort(([, a], [, b]) => b - a).slice(0, top).map(([name, micros]) => ({ name, share: Math.round((micros / total) * 1000) / 10 }));
  return { total_cpu_s: Math.round(total / 1e5) / 10, by_package: rank(byPackage), by_function: rank(byFunction) };
}
