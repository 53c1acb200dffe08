// `npm run customer-token -- <customer_id>`: a customer token signed with CUSTOMER_TOKEN_SECRET (the
// local default unless set), standing in for the identity provider in local use and scripts.
import { CustomerAuth, LOCAL_CUSTOMER_SECRET } from "@spgroup/platform";

const customer = process.argv[2];
if (!customer) {
  console.error("usage: npm run customer-token -- <customer_id>");
  process.exit(2);
}
console.log(await new CustomerAuth(process.env.CUSTOMER_TOKEN_SECRET || LOCAL_CUSTOMER_SECRET, process.env.CUSTOMER_TOKEN_ISSUER || undefined).issue(customer));
