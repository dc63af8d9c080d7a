// 走访活动 (/staff/outreach/campaigns): the campaigns the station planned — a festival
// round, a plaque drive, 喜报 to deliver — each over the households due under its kind,
// with who goes where, who was not reached and why, and the printed visit sheet an
// admin makes. Rows are masked as the station answers them; the sheet, in the clear,
// lives only while the print view is on screen.
import { reactive } from 'vue'
import * as api from '../api'
import { i18n } from '../i18n'
import { newRequestId } from './tickets'
import { stationToday } from './outreach'

/** CampaignKind is what a campaign is for: festival visits, plaques, 喜报. */
export type CampaignKind = api.Campaign['kind']

/** Reason says why a household was not reached: 外出, 搬走, 谢绝, 住院, 其他. */
export type Reason = NonNullable<api.CampaignRow['not_reached']>

/** CAMPAIGN_KINDS are the kinds in the order the new-campaign form offers them. */
export const CAMPAIGN_KINDS: CampaignKind[] = ['festival', 'plaque', 'honour']

/** REASONS are why a household was not reached, in the order the form offers them. */
export const REASONS: Reason[] = ['away', 'moved', 'declined', 'ill', 'other']

/** CampaignState is what the campaign screens show. */
export interface CampaignState {
  list: api.Campaign[] | null
  listError: string
  campaign: api.Campaign | null
  campaignError: string
  /** The visit sheet in the clear, for the print view; null once it is left. */
  sheet: api.Campaign | null
  /** The one team the sheet is for, '' for all. */
  sheetTeam: string
}

/** campaigns is the shared state of the campaign screens. */
export const campaigns = reactive<CampaignState>({
  list: null,
  listError: '',
  campaign: null,
  campaignError: '',
  sheet: null,
  sheetTeam: '',
})

/** loadCampaigns reloads the list of campaigns, newest first. */
export async function loadCampaigns(): Promise<void> {
  try {
    campaigns.list = await api.listCampaigns()
    campaigns.listError = ''
  } catch (e) {
    campaigns.listError = (e as Error).message
  }
}

/**
 * suggestName names a campaign from its kind and first day as the station would:
 * 2027年春节走访慰问 for a festival round begun in December or January, 中秋 in
 * August–September, 八一 in July; 2027年光荣牌悬挂, 2027年喜报送达.
 */
export function suggestName(kind: CampaignKind, from: string): string {
  const y = Number(from.slice(0, 4)) || new Date().getFullYear()
  const m = Number(from.slice(5, 7)) || 1
  const t = i18n.global.t
  if (kind !== 'festival') return t(`outreach.campaigns.names.${kind}`, { year: y })
  if (m >= 11 || m <= 2) return t('outreach.campaigns.names.spring', { year: m >= 11 ? y + 1 : y })
  if (m === 7) return t('outreach.campaigns.names.army', { year: y })
  if (m === 8 || m === 9) return t('outreach.campaigns.names.autumn', { year: y })
  return t('outreach.campaigns.names.festival', { year: y })
}

/** addDays moves a day (YYYY-MM-DD) by n days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(day + 'T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10)
}

/** CampaignForm is what the new-campaign form holds; one request id per form. */
export interface CampaignForm {
  name: string
  kind: CampaignKind
  from: string
  to: string
  requestId: string
}

/** emptyCampaign is a fresh form: a festival round from today, for about two months. */
export function emptyCampaign(): CampaignForm {
  const from = stationToday()
  return { name: suggestName('festival', from), kind: 'festival', from, to: addDays(from, 60), requestId: newRequestId() }
}

/** planCampaign plans the form's campaign; the station judges every field. */
export async function planCampaign(f: CampaignForm): Promise<api.Campaign> {
  const c = await api.planCampaign({ request_id: f.requestId, name: f.name.trim(), kind: f.kind, from: f.from, to: f.to })
  campaigns.campaign = c
  void loadCampaigns()
  return c
}

// The campaign asked for last: an answer for one left already is dropped.
let opening = ''

/** openCampaign shows campaign id, fresh from the station. */
export async function openCampaign(id: string): Promise<void> {
  opening = id
  if (campaigns.campaign?.id !== id) campaigns.campaign = null
  campaigns.campaignError = ''
  try {
    const c = await api.getCampaign(id)
    if (opening === id) campaigns.campaign = c
  } catch (e) {
    if (opening === id) campaigns.campaignError = (e as Error).message
  }
}

/**
 * changeCampaign sends a change with the version on screen. When someone else changed
 * the campaign meanwhile (409), the campaign is reloaded and the message says so: the
 * change was not made, and may be made again on what is now there.
 */
export async function changeCampaign(patch: Omit<api.CampaignPatch, 'version'>): Promise<void> {
  const c = campaigns.campaign
  if (!c) return
  try {
    campaigns.campaign = await api.updateCampaign(c.id, { ...patch, version: c.version })
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 409) {
      await openCampaign(c.id)
      throw new Error(i18n.global.t('outreach.campaigns.conflict'))
    }
    throw e
  }
}

/** printSheet asks the station for the visit sheet in the clear (admin; the reason is logged). */
export async function printSheet(reason: string, team: string): Promise<void> {
  const c = campaigns.campaign
  if (!c) return
  campaigns.sheet = await api.campaignSheet(c.id, reason, team.trim())
  campaigns.sheetTeam = team.trim()
}

/** closeSheet forgets the sheet in the clear. */
export function closeSheet(): void {
  campaigns.sheet = null
  campaigns.sheetTeam = ''
}

/** teamsOf lists the (masked) names on a campaign's teams, in the order they first appear. */
export function teamsOf(c: api.Campaign): string[] {
  return [...new Set(c.rows.flatMap((r) => r.team))]
}

/**
 * dueFor lists the households due under campaign c's kind that are not in it yet, for
 * adding: a festival round counts visits from its first day, as when it was planned.
 */
export async function dueFor(c: api.Campaign): Promise<api.Household[]> {
  const since = c.kind === 'festival' && c.from <= stationToday() ? c.from : ''
  const inIt = new Set(c.rows.map((r) => r.household.household))
  return (await api.listDue(c.kind, since)).filter((h) => !inIt.has(h.household))
}
