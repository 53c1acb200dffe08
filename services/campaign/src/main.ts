import { stopOnSignals } from "@spgroup/platform";
import { loadCampaignConfig } from "./config.ts";
import { startCampaignService } from "./service.ts";

const service = await startCampaignService(loadCampaignConfig());
stopOnSignals(service.runtime.logger, service.stop);
