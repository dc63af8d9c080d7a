// Counters (窗口), calling tickets to them, the waiting list and the lobby board
// (docs/staff.md).
import { request } from './client'
import type { Board, Counter, StaffTicket, TicketAction, TicketActionBody, WaitingList } from './types'

/** listCounters returns the counters with what each calls or serves now. */
export function listCounters(): Promise<Counter[]> {
  return request('GET', '/api/v1/counters')
}

/** putCounter creates or changes a counter (admin). */
export function putCounter(n: number, name: string, services: string[]): Promise<Counter> {
  return request('PUT', `/api/v1/counters/${n}`, { body: { name, services } })
}

/** deleteCounter removes a counter; refused while it has a ticket or if it is the last. */
export function deleteCounter(n: number): Promise<void> {
  return request('DELETE', `/api/v1/counters/${n}`)
}

/** callNext calls the next ticket for counter n: priority first, then arrival. */
export function callNext(n: number): Promise<StaffTicket> {
  return request('POST', `/api/v1/counters/${n}/call-next`)
}

/** ticketAction does one action on a ticket and returns it as it is now. */
export function ticketAction(id: string, action: TicketAction, body?: TicketActionBody): Promise<StaffTicket> {
  return request('POST', `/api/v1/tickets/${encodeURIComponent(id)}/${action}`, { body })
}

/** getWaiting returns today's open tickets, each service's queue in calling order. */
export function getWaiting(): Promise<WaitingList> {
  return request('GET', '/api/v1/waiting')
}

/** getBoard returns what the lobby board shows now (no session needed). */
export function getBoard(): Promise<Board> {
  return request('GET', '/api/v1/board')
}
