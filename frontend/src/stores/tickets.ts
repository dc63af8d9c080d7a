// The tickets store: the one ticket the person at the kiosk has just taken.
import { reactive } from 'vue'
import * as api from '../api'
import type { IssueTicketRequest, Ticket } from '../api'

/**
 * CheckInNote is how a ticket came from a booking (我有预约), for the ticket screen to
 * say so: the booked time, late (past it, so a normal ticket), again (checked in
 * before, the same ticket shown again).
 */
export interface CheckInNote {
  ticketId: string
  time: string
  late: boolean
  again: boolean
}

/** TicketsState holds the current person's ticket, if any, and how it was got. */
export interface TicketsState {
  current: Ticket | null
  checkIn: CheckInNote | null
}

/** tickets is the shared tickets state; idle reset empties it. */
export const tickets = reactive<TicketsState>({ current: null, checkIn: null })

/**
 * newRequestId makes the idempotency key for one intended ticket. crypto.randomUUID
 * exists only in secure contexts, and a staff PC on plain http over the LAN is not one,
 * so fall back to getRandomValues, which exists everywhere.
 */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** issueTicket takes a ticket and makes it the current one. */
export async function issueTicket(req: IssueTicketRequest): Promise<Ticket> {
  const t = await api.issueTicket(req)
  tickets.current = t
  tickets.checkIn = null
  return t
}

/**
 * refreshTicket loads a ticket's place in the queue as of now. The print result and the
 * `existing` flag come only with the issuing answer, so they are kept.
 */
export async function refreshTicket(id: string): Promise<Ticket> {
  const fresh = await api.getTicket(id)
  const prev = tickets.current?.id === id ? tickets.current : null
  tickets.current = { ...fresh, print: prev?.print, existing: prev?.existing ?? fresh.existing }
  return tickets.current
}

/** showCheckIn makes a check-in's ticket the current one, noting the booking it came from. */
export function showCheckIn(c: api.CheckIn): Ticket {
  tickets.current = c.ticket
  tickets.checkIn = { ticketId: c.ticket.id, time: c.time, late: c.late, again: c.again }
  return c.ticket
}

/** reprintTicket prints the current ticket again and records the outcome. */
export async function reprintTicket(id: string): Promise<void> {
  let print: api.PrintResult
  try {
    print = await api.printTicket(id)
  } catch (e) {
    print = { status: 'failed', message: (e as Error).message }
  }
  if (tickets.current?.id === id) tickets.current.print = print
}

/** clearTickets forgets the current ticket so nothing of it stays on screen. */
export function clearTickets(): void {
  tickets.current = null
  tickets.checkIn = null
}
