// `npm run bench -- <scenario> [options]`: runs one benchmark scenario, bounded in time, on loopback.
const scenarios: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  pipeline: () => import("./scenarios/pipeline.ts"),
  admin: () => import("./scenarios/admin.ts"),
  "hot-sale": () => import("./scenarios/hot-sale.ts"),
  chaos: () => import("./scenarios/chaos.ts"),
};
const [name, ...args] = process.argv.slice(2);
const load = name ? scenarios[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(scenarios).join("|")}> [--key=value …]`);
  process.exit(2);
}
await (await load()).run(args);
process.exit(process.exitCode ?? 0);
