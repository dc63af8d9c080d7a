// The ledger store: the staff ledger page's list, filter, the open entry with its audit
// trail, and the admin's access log. Everything is read from the station and masked by
// it; the one entry an admin unmasked is kept only until another is opened or the page
// is left. Search text goes in request bodies, never in an address.
import { reactive } from 'vue'
import * as api from '../api'
import { ApiError } from '../api'
import { staff } from './staff'

/** OUTCOMES are the outcome codes in the order the form offers them. */
export const OUTCOMES = ['answered', 'handled', 'accepted', 'referred', 'declined'] as const

/** PAGE is how many entries the list loads at a time. */
export const PAGE = 50

/** LedgerFilter is the filter bar: dates YYYY-MM-DD, inclusive. */
export interface LedgerFilter {
  from: string
  to: string
  service: string
  status: '' | 'open' | 'closed'
  followUpDue: boolean
  q: string
}

/** LedgerState is what the ledger page shows. */
export interface LedgerState {
  filter: LedgerFilter
  visits: api.Visit[]
  total: number
  loading: boolean
  listError: string
  services: api.VisitService[]
  categories: api.LookupCategory[]
  detail: api.VisitDetail | null
  /** The open entry in the clear, after an admin gave a reason. */
  clear: api.Visit | null
  detailError: string
  saving: boolean
  saveError: string
  saveNote: string
  accessLog: api.AccessEntry[] | null
  accessError: string
}

function emptyFilter(): LedgerFilter {
  return { from: '', to: '', service: '', status: '', followUpDue: false, q: '' }
}

/** ledger is the shared ledger state. */
export const ledger = reactive<LedgerState>({
  filter: emptyFilter(),
  visits: [],
  total: 0,
  loading: false,
  listError: '',
  services: [],
  categories: [],
  detail: null,
  clear: null,
  detailError: '',
  saving: false,
  saveError: '',
  saveNote: '',
  accessLog: null,
  accessError: '',
})

// An answer for 401 means the session ended: the page shows the login form again.
function message(e: unknown): string {
  if (e instanceof ApiError && e.code === 'unauthorized') staff.session = null
  return (e as Error).message
}

/** apiFilter turns the filter bar into the API's filter. */
export function apiFilter(f: LedgerFilter = ledger.filter): api.VisitFilter {
  const out: api.VisitFilter = {}
  if (f.from) out.from = f.from
  if (f.to) out.to = f.to
  if (f.service) out.service = f.service
  if (f.status) out.status = f.status
  if (f.followUpDue) out.follow_up_due = true
  const q = f.q.trim()
  if (q) out.q = q
  return out
}

/** exportURL is the masked export's download address for the filter bar's selection. */
export function exportURL(format: 'csv' | 'xlsx'): string {
  return api.visitExportURL(format, apiFilter())
}

/** clearFilter empties the filter bar. */
export function clearFilter(): void {
  ledger.filter = emptyFilter()
}

/** loadReference reads the services with their matters and the person categories. */
export async function loadReference(): Promise<void> {
  try {
    const [m, c] = await Promise.all([api.getVisitMatters(), api.getCategories()])
    ledger.services = m.services
    ledger.categories = c.categories
  } catch (e) {
    ledger.listError = message(e)
  }
}

/** loadList loads the first page for the filter, or the next one with more. */
export async function loadList(more = false): Promise<void> {
  ledger.loading = true
  ledger.listError = ''
  try {
    const r = await api.searchVisits({ ...apiFilter(), limit: PAGE, offset: more ? ledger.visits.length : 0 })
    ledger.visits = more ? [...ledger.visits, ...r.visits] : r.visits
    ledger.total = r.total
  } catch (e) {
    ledger.listError = message(e)
  } finally {
    ledger.loading = false
  }
}

/** openVisit shows one entry with its audit trail. */
export async function openVisit(id: string): Promise<void> {
  ledger.clear = null
  ledger.detailError = ''
  ledger.saveError = ''
  ledger.saveNote = ''
  try {
    ledger.detail = await api.getVisit(id)
  } catch (e) {
    ledger.detailError = message(e)
  }
}

/** closeVisit hides the open entry and forgets anything unmasked. */
export function closeVisit(): void {
  ledger.detail = null
  ledger.clear = null
  ledger.detailError = ''
  ledger.saveError = ''
  ledger.saveNote = ''
}

/**
 * saveVisit sends the changes with the version on screen. A 409 (someone else changed
 * it) leaves the station's message and the form as typed; the list row is refreshed.
 */
export async function saveVisit(patch: api.VisitPatch): Promise<boolean> {
  const d = ledger.detail
  if (!d || ledger.saving) return false
  ledger.saving = true
  ledger.saveError = ''
  ledger.saveNote = ''
  try {
    const v = await api.updateVisit(d.id, { ...patch, version: d.version })
    const fresh = await api.getVisit(d.id)
    ledger.detail = fresh
    ledger.clear = null
    ledger.saveNote = v.version === d.version ? 'nothing' : 'saved'
    const i = ledger.visits.findIndex((x) => x.id === v.id)
    if (i >= 0) ledger.visits[i] = v
    return true
  } catch (e) {
    ledger.saveError = message(e)
    return false
  } finally {
    ledger.saving = false
  }
}

/** unmask shows the open entry in the clear (admin; the reason is recorded). */
export async function unmask(reason: string): Promise<string> {
  const d = ledger.detail
  if (!d) return ''
  try {
    ledger.clear = await api.unmaskVisit(d.id, reason)
    ledger.accessLog = null
    return ''
  } catch (e) {
    return message(e)
  }
}

/** loadAccessLog reads who unmasked or exported what (admin). */
export async function loadAccessLog(): Promise<void> {
  ledger.accessError = ''
  try {
    ledger.accessLog = await api.getVisitAccessLog(200)
  } catch (e) {
    ledger.accessError = message(e)
  }
}

/** exportFull downloads the export in the clear (admin, reason recorded). Returns an error or ''. */
export async function exportFull(format: 'csv' | 'xlsx', reason: string): Promise<string> {
  try {
    const { blob, filename } = await api.exportVisitsUnmasked(format, apiFilter(), reason)
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = filename
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
    ledger.accessLog = null
    return ''
  } catch (e) {
    return message(e)
  }
}

/** resetLedger forgets everything shown: used when the page is left or the session ends. */
export function resetLedger(): void {
  closeVisit()
  ledger.visits = []
  ledger.total = 0
  ledger.accessLog = null
  ledger.filter = emptyFilter()
}
