// Tickets (排队票) as the kiosk takes and shows them (docs/api.md).
import { PRINT_TIMEOUT_MS, request } from './client'
import type { IssueTicketRequest, PrintAnswer, PrintResult, Ticket } from './types'

/** issueTicket takes a ticket; repeating a request_id returns the same ticket. */
export function issueTicket(req: IssueTicketRequest): Promise<Ticket> {
  return request('POST', '/api/v1/tickets', { body: req, timeoutMs: PRINT_TIMEOUT_MS })
}

/** getTicket returns a ticket with its place in the queue as of now. */
export function getTicket(id: string): Promise<Ticket> {
  return request('GET', `/api/v1/tickets/${encodeURIComponent(id)}`)
}

/** printTicket prints a ticket again. */
export async function printTicket(id: string): Promise<PrintResult> {
  const r = await request<PrintAnswer>(
    'POST',
    `/api/v1/tickets/${encodeURIComponent(id)}/print`,
    { timeoutMs: PRINT_TIMEOUT_MS },
  )
  return r.print
}
