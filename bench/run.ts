// `npm run bench -- <scenario> [options]`: runs one benchmark scenario, bounded in time, on loopback.
import { killSpawnedServices } from "@spgroup/infra";

const scenarios: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  pipeline: () => import("./scenarios/pipeline.ts"),
  "pipeline-knee": () => import("./scenarios/pipeline-knee.ts"),
  admin: () => import("./scenarios/admin.ts"),
  "hot-sale": () => import("./scenarios/hot-sale.ts"),
  chaos: () => import("./scenarios/chaos.ts"),
  "login-flood": () => import("./scenarios/login-flood.ts"),
  "flink-audit": () => import("./scenarios/flink-audit.ts"),
};
const [name, ...args] = process.argv.slice(2);
const load = name ? scenarios[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(scenarios).join("|")}> [--key=value …]`);
  process.exit(2);
}
// Interrupted (Ctrl-C): stop the service processes of the run's stack, which would outlive it
// otherwise; the infrastructure process stops by itself when this one is gone.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killSpawnedServices();
    process.exit(130);
  });
}
await (await load()).run(args);
process.exit(process.exitCode ?? 0);
