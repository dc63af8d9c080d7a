// 好差评: the rating screens (the kiosk, a counter's screen) and the follow-up of bad
// ratings in the console (docs/api.md, "Ratings").
import { request } from './client'
import type { CaseStepRequest, RatingAnswer, RatingCase, RatingReasons, RatingRequest, RatingTicket } from './types'

/** getRatingReasons returns the reasons offered after a bad rating, by level. */
export function getRatingReasons(): Promise<RatingReasons> {
  return request('GET', '/api/v1/rating-reasons')
}

/** pendingRating returns the ticket counter n finished last that waits for its rating. */
export async function pendingRating(counter: number): Promise<RatingTicket | null> {
  const r = await request<{ ticket: RatingTicket | null }>('GET', `/api/v1/counters/${counter}/rating`)
  return r.ticket
}

/** findRatingTicket finds today's finished ticket by its number or its QR payload. */
export function findRatingTicket(by: { number?: string; payload?: string }): Promise<RatingTicket> {
  return request('POST', '/api/v1/ratings/find', { body: by })
}

/** rateTicket records the rating of a ticket. */
export function rateTicket(id: string, req: RatingRequest): Promise<RatingAnswer> {
  return request('POST', `/api/v1/tickets/${encodeURIComponent(id)}/rating`, { body: req })
}

/** skipRating records that the person did not want to rate. */
export function skipRating(id: string, via: 'counter' | 'kiosk'): Promise<unknown> {
  return request('POST', `/api/v1/tickets/${encodeURIComponent(id)}/rating/skip`, { body: { via } })
}

/** listRatingCases lists the follow-up cases, overdue first. */
export function listRatingCases(): Promise<RatingCase[]> {
  return request('GET', '/api/v1/rating-cases')
}

/** CaseAction is one step of a case. */
export type CaseAction = 'visit' | 'rectify' | 'close' | 'appeal' | 'uphold' | 'reject'

/** caseStep takes one step of a case. */
export function caseStep(id: string, action: CaseAction, req: CaseStepRequest): Promise<RatingCase> {
  return request('POST', `/api/v1/rating-cases/${encodeURIComponent(id)}/${action}`, { body: req })
}
