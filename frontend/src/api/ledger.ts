// The visitor ledger (来访登记台账): kiosk registration and the staff ledger
// (docs/ledger.md).
import { download, request, type DownloadedFile } from './client'
import type {
  AccessEntry,
  ExportFormat,
  KioskVisit,
  RegisterVisitRequest,
  Visit,
  VisitDetail,
  VisitFilter,
  VisitList,
  VisitMatters,
  VisitPatch,
} from './types'

/** getVisitMatters returns the notice, relations and per-service matters (no session). */
export function getVisitMatters(): Promise<VisitMatters> {
  return request('GET', '/api/v1/visits/matters')
}

/** registerVisit registers a visit at the kiosk; repeating request_id returns the same one. */
export function registerVisit(req: RegisterVisitRequest): Promise<KioskVisit> {
  return request('POST', '/api/v1/visits', { body: req })
}

/** searchVisits lists visits by a filter sent in the body, so numbers stay out of URLs. */
export function searchVisits(f: VisitFilter): Promise<VisitList> {
  return request('POST', '/api/v1/visits/search', { body: f })
}

/** getVisit returns one visit (masked) with its audit trail. */
export function getVisit(id: string): Promise<VisitDetail> {
  return request('GET', `/api/v1/visits/${encodeURIComponent(id)}`)
}

/** updateVisit completes, edits, closes or reopens a visit; 409 if its version moved on. */
export function updateVisit(id: string, patch: VisitPatch): Promise<Visit> {
  return request('PATCH', `/api/v1/visits/${encodeURIComponent(id)}`, { body: patch })
}

/** unmaskVisit returns a visit in the clear (admin, reason recorded in the access log). */
export function unmaskVisit(id: string, reason: string): Promise<Visit> {
  return request('POST', `/api/v1/visits/${encodeURIComponent(id)}/unmask`, { body: { reason } })
}

/** getVisitAccessLog returns who unmasked or exported what, newest first (admin). */
export function getVisitAccessLog(limit = 200): Promise<AccessEntry[]> {
  return request('GET', `/api/v1/visits/access-log?limit=${limit}`)
}

/**
 * visitExportURL is the masked export's download address (the cookie authorises it). The
 * search text is left out: it may be a name or a number, and this address is a link.
 */
export function visitExportURL(format: ExportFormat, f: VisitFilter): string {
  const q = new URLSearchParams({ format })
  for (const k of ['from', 'to', 'service', 'status'] as const) {
    const v = f[k]
    if (v) q.set(k, v)
  }
  return `/api/v1/visits/export?${q.toString()}`
}

/**
 * exportVisitsUnmasked fetches the export in the clear (admin, reason required) and returns
 * the file with its name; the filter goes in the body, never in an address. It waits as
 * long as the station takes to write the file.
 */
export function exportVisitsUnmasked(format: ExportFormat, f: VisitFilter, reason: string): Promise<DownloadedFile> {
  return download('POST', '/api/v1/visits/export', `visits.${format}`, {
    body: { ...f, format, unmasked: true, reason },
    timeoutMs: 0,
  })
}
