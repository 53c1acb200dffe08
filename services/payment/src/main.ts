import { stopOnSignals } from "@spgroup/platform";
import { loadPaymentConfig } from "./config.ts";
import { startPaymentService } from "./service.ts";

const service = await startPaymentService(loadPaymentConfig());
stopOnSignals(service.runtime.logger, service.stop);
