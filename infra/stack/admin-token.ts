// `npm run admin-token`            prints an operator token signed with ADMIN_TOKEN_SECRET
// `npm run admin-token -- hash PW`  prints the scrypt hash of PW, for ADMIN_PASSWORD_HASH
import { AdminAuth, hashPassword, loadPlatformConfig } from "@spgroup/platform";

const [command, password] = process.argv.slice(2);
if (command === "hash") {
  if (!password) throw new Error("usage: npm run admin-token -- hash 'password'");
  console.log(await hashPassword(password));
} else {
  const config = loadPlatformConfig("cli", { port: 0, databaseUrlVar: "UNUSED_DATABASE_URL", databaseUrl: "postgres://unused" });
  console.log((await new AdminAuth(config.admin).issue(config.admin.username)).token);
}
