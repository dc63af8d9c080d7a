// The station's link to the county, as the staff sync panel shows it
// (docs/sync-protocol.md).
import { request } from './client'
import type { Enrolled, SyncStatus } from './types'

/** getSyncStatus returns the backlog, the last attempts and the dead letters (staff). */
export function getSyncStatus(): Promise<SyncStatus> {
  return request('GET', '/api/v1/sync')
}

/** retryDeadLetter puts a refused record back in the outbox under its own sequence (admin). */
export async function retryDeadLetter(seq: number): Promise<void> {
  await request('POST', `/api/v1/sync/dead/${seq}/retry`)
}

/** discardDeadLetter drops a refused record and tells the county why (admin; reason required). */
export async function discardDeadLetter(seq: number, reason: string): Promise<void> {
  await request('POST', `/api/v1/sync/dead/${seq}/discard`, { body: { reason } })
}

/**
 * enrolStation enrols the station with its county from the enrolment file's text, as
 * the county made it (admin). The station says what is wrong with a wrong file.
 */
export function enrolStation(file: string): Promise<Enrolled> {
  return request('POST', '/api/v1/sync/enrolment', { rawJSON: file })
}
