// 走访慰问: who is due a 光荣牌, a festival visit or a 喜报, the households, and the
// entries staff record there (docs/api.md, "Outreach").
import { request } from './client'
import type { Campaign, CampaignPatch, CampaignRequest, Household, Outreach, OutreachDetail, OutreachPatch, OutreachRequest } from './types'

/** DueKind names a due list: plaques to hang, festival visits, honours to deliver. */
export type DueKind = 'plaque' | 'festival' | 'honour'

// An entry carries a photo and a signature: up to about 1.1 MB to send on a slow LAN.
const RECORD_TIMEOUT_MS = 30_000

/** listDue returns the households due under kind, masked, in the registry's order. */
export function listDue(kind: DueKind, since = ''): Promise<Household[]> {
  const q = new URLSearchParams({ kind })
  if (since) q.set('since', since)
  return request('GET', `/api/v1/outreach/due?${q.toString()}`)
}

/** getHousehold returns one household, masked. */
export function getHousehold(id: string): Promise<Household> {
  return request('GET', `/api/v1/outreach/households/${encodeURIComponent(id)}`)
}

/** unmaskHousehold returns a household in the clear (admin, reason in the access log). */
export function unmaskHousehold(id: string, reason: string): Promise<Household> {
  return request('POST', `/api/v1/outreach/households/${encodeURIComponent(id)}/unmask`, { body: { reason } })
}

/** recordOutreach records an entry; repeating request_id returns the first one. */
export function recordOutreach(req: OutreachRequest): Promise<Outreach> {
  return request('POST', '/api/v1/outreach', { body: req, timeoutMs: RECORD_TIMEOUT_MS })
}

/** listOutreach returns a household's entries, newest first, masked. */
export function listOutreach(household: string): Promise<Outreach[]> {
  return request('GET', `/api/v1/outreach?household=${encodeURIComponent(household)}`)
}

/** getOutreach returns one entry, masked, with its audit trail. */
export function getOutreach(id: string): Promise<OutreachDetail> {
  return request('GET', `/api/v1/outreach/${encodeURIComponent(id)}`)
}

/** updateOutreach changes an entry; 409 if its version moved on. */
export function updateOutreach(id: string, patch: OutreachPatch): Promise<Outreach> {
  return request('PATCH', `/api/v1/outreach/${encodeURIComponent(id)}`, { body: patch })
}

/** unmaskOutreach returns an entry in the clear with its photo and signature (admin, reason recorded). */
export function unmaskOutreach(id: string, reason: string): Promise<Outreach> {
  return request('POST', `/api/v1/outreach/${encodeURIComponent(id)}/unmask`, { body: { reason } })
}

/** planCampaign plans a campaign over the households due under its kind today. */
export function planCampaign(req: CampaignRequest): Promise<Campaign> {
  return request('POST', '/api/v1/outreach/campaigns', { body: req })
}

/** listCampaigns returns the campaigns, newest first, with their totals and no rows. */
export function listCampaigns(): Promise<Campaign[]> {
  return request('GET', '/api/v1/outreach/campaigns')
}

/** getCampaign returns one campaign with a row per household, masked. */
export function getCampaign(id: string): Promise<Campaign> {
  return request('GET', `/api/v1/outreach/campaigns/${encodeURIComponent(id)}`)
}

/** updateCampaign changes a campaign; 409 if its version moved on. */
export function updateCampaign(id: string, patch: CampaignPatch): Promise<Campaign> {
  return request('PATCH', `/api/v1/outreach/campaigns/${encodeURIComponent(id)}`, { body: patch })
}

/** campaignSheet returns the rows in the clear for the printed visit sheet (admin, logged as an export). */
export function campaignSheet(id: string, reason: string, team = ''): Promise<Campaign> {
  const body: { reason: string; team?: string } = { reason }
  if (team) body.team = team
  return request('POST', `/api/v1/outreach/campaigns/${encodeURIComponent(id)}/sheet`, { body })
}
