import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { ROOT } from "@spgroup/infra";

/** The commit the benchmark ran (with "+changes" when the working tree differs from it). */
function commit(): string {
  try {
    const env = { ...process.env, GIT_OPTIONAL_LOCKS: "0" };
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", env }).trim();
    // The reports a run writes are not changes to what it measured.
    const dirty = execFileSync("git", ["status", "--porcelain", "--", ".", ":!bench/results"], { cwd: ROOT, encoding: "utf8", env }).trim() !== "";
    return dirty ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

export function machine() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit: commit(),
  };
}
