// The station's live events (docs/staff.md): a Server-Sent Events stream whose
// messages carry Call, BoardCounter, QueueCounts and, for staff, TicketEvent data.

/** EVENTS_URL is the station's Server-Sent Events stream. */
export const EVENTS_URL = '/api/v1/events'
