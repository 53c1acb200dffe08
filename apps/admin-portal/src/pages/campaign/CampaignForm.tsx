import type { Campaign } from "@spgroup/contracts";
import { POLICY_DEFAULTS } from "@spgroup/contracts/http/campaigns";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import { fromLocalInput, toLocalInput } from "../../lib/format.ts";
import { type CampaignDraft, type DraftErrors, validateDraft } from "./validation.ts";

function draftOf(campaign: Campaign | null): CampaignDraft {
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  return {
    name: campaign?.name ?? "iPhone hot sale",
    description: campaign?.description ?? "The first customers with a successful order above the minimum win an iPhone.",
    start_time: toLocalInput(campaign?.start_time ?? new Date().toISOString()),
    end_time: toLocalInput(campaign?.end_time ?? inAnHour),
    total_reward: String(campaign?.policy.total_reward ?? POLICY_DEFAULTS.total_reward),
    min_order_amount: campaign?.policy.min_order_amount ?? POLICY_DEFAULTS.min_order_amount,
    max_tracked_orders: String(campaign?.policy.max_tracked_orders ?? POLICY_DEFAULTS.max_tracked_orders),
  };
}

/** Creates a campaign, or edits the current one (asking first when it is already running). */
export function CampaignForm({ campaign, onDone }: { campaign: Campaign | null; onDone: () => void }) {
  const [draft, setDraft] = useState<CampaignDraft>(() => draftOf(campaign));
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const client = useQueryClient();
  const errors: DraftErrors = validateDraft(draft);
  const running = campaign !== null && (campaign.status === "ACTIVE" || campaign.status === "CLOSING");
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: draft.name.trim(),
        description: draft.description,
        start_time: fromLocalInput(draft.start_time),
        end_time: fromLocalInput(draft.end_time),
        total_reward: Number(draft.total_reward),
        min_order_amount: draft.min_order_amount.trim(),
        max_tracked_orders: Number(draft.max_tracked_orders),
      };
      return campaign
        ? api(`/api/admin/v1/campaigns/iphones/${campaign.id}`, { method: "PUT", body: JSON.stringify(body) })
        : api("/api/admin/v1/campaigns/iphones", { method: "POST", body: JSON.stringify(body) });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["campaign"] });
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0) return;
    if (running && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    save.mutate();
  };

  const field = (key: keyof CampaignDraft, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="block text-sm">
      {label}
      <input
        {...props}
        value={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        onBlur={() => setTouched(true)}
        aria-invalid={touched && Boolean(errors[key])}
        aria-describedby={`${key}-error`}
        className={`mt-1 w-full rounded border px-2 py-1.5 ${touched && errors[key] ? "border-red-500" : "border-slate-300"}`}
        name={key}
      />
      {touched && errors[key] && (
        <span id={`${key}-error`} className="text-xs text-red-700">
          {errors[key]}
        </span>
      )}
    </label>
  );

  return (
    <form onSubmit={submit} className="space-y-3" aria-label={campaign ? "Edit campaign" : "Create campaign"}>
      {field("name", "Name", { maxLength: 100 })}
      {field("description", "Description")}
      <div className="grid gap-3 sm:grid-cols-2">
        {field("start_time", "Starts", { type: "datetime-local", step: 1 })}
        {field("end_time", "Ends", { type: "datetime-local", step: 1 })}
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        {field("min_order_amount", "Minimum order (SGD, strictly above)", { inputMode: "decimal" })}
        {field("max_tracked_orders", "Customers tracked", { inputMode: "numeric" })}
        {field("total_reward", "iPhones to give", { inputMode: "numeric" })}
      </div>
      {save.isError && (
        <p role="alert" className="text-sm text-red-700">
          {save.error instanceof ApiError ? save.error.message : String(save.error)}
        </p>
      )}
      {confirming && (
        <div role="alertdialog" aria-label="Confirm change" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium">This campaign is {campaign?.status}. Saving recomputes the standings at once; customers may gain or lose a prize.</p>
          <div className="mt-2 flex gap-2">
            <button type="submit" className="rounded bg-amber-600 px-3 py-1 font-medium text-white hover:bg-amber-700">
              Yes, change it
            </button>
            <button type="button" onClick={() => setConfirming(false)} className="rounded border border-slate-300 px-3 py-1">
              Cancel
            </button>
          </div>
        </div>
      )}
      {!confirming && (
        <div className="flex gap-2">
          <button type="submit" disabled={save.isPending} className="rounded bg-indigo-600 px-4 py-1.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
            {save.isPending ? "Saving…" : campaign ? "Save changes" : "Create campaign"}
          </button>
          <button type="button" onClick={onDone} className="rounded border border-slate-300 px-4 py-1.5">
            Cancel
          </button>
        </div>
      )}
    </form>
  );
}
