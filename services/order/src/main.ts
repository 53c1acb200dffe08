import { stopOnSignals } from "@spgroup/platform";
import { loadOrderConfig } from "./config.ts";
import { startOrderService } from "./service.ts";

const service = await startOrderService(loadOrderConfig());
stopOnSignals(service.runtime.logger, service.stop);
