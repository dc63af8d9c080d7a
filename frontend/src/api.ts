// The one client of the station API (docs/api.md). Every call sends the UI language so
// that error messages come back ready to show, and none of them logs what it sends:
// tickets may later carry ID numbers.
import { i18n } from './i18n'

/** Station is the answer of GET /api/v1/station. */
export interface Station {
  id: string
  name: string
  date: string
  printer: boolean
  idle_warning_s: number
  idle_countdown_s: number
  public_key: string
  /** The station's IANA time zone: the home clock shows station time, as tickets do. */
  timezone?: string
}

/** Service is one business the kiosk offers a ticket for. */
export interface Service {
  letter: string
  name_zh: string
  name_en: string
  typical_zh: string[]
  /** Assumed optional: English typical matters, shown when present. */
  typical_en?: string[]
  waiting: number
}

/** PrintResult says whether the paper ticket came out, and if not, why. */
export interface PrintResult {
  status: 'printed' | 'failed' | 'none'
  message?: string
}

/** Ticket is one place in one service's queue. */
export interface Ticket {
  id: string
  number: string
  service: string
  service_name_zh: string
  service_name_en: string
  priority: boolean
  date: string
  issued_at: string
  status: string
  ahead: number
  estimated_wait_s: number
  qr_payload: string
  qr_url: string
  existing?: boolean
  /** Present only in the answers of POST /tickets and POST /tickets/{id}/print. */
  print?: PrintResult
}

/** IssueTicketRequest is the body of POST /api/v1/tickets. */
export interface IssueTicketRequest {
  service: string
  priority: boolean
  request_id: string
  id_number?: string
}

/**
 * ApiError is a failed call. code is the server's code (invalid, not_found, conflict,
 * unauthorized, forbidden, unavailable, internal) or, when no answer came, network or
 * timeout. message is always a translated sentence a person can act on.
 */
export class ApiError extends Error {
  readonly code: string
  readonly status: number

  constructor(code: string, message: string, status = 0) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
  }
}

const DEFAULT_TIMEOUT_MS = 10_000
// Issuing a ticket prints it before answering, and a thermal printer can be slow.
const PRINT_TIMEOUT_MS = 25_000

interface RequestOptions {
  body?: unknown
  timeoutMs?: number
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const t = i18n.global.t
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': i18n.global.locale.value,
  }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'

  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: ctrl.signal,
      credentials: 'same-origin',
    })
  } catch {
    throw ctrl.signal.aborted
      ? new ApiError('timeout', t('error.timeout'))
      : new ApiError('network', t('error.network'))
  } finally {
    clearTimeout(timer)
  }

  let data: unknown
  try {
    data = await res.json()
  } catch {
    // A proxy or a crash page answered with something that is not our JSON.
    throw new ApiError(res.ok ? 'internal' : statusCode(res.status), t('error.generic'), res.status)
  }
  if (!res.ok) {
    const e = data as { code?: unknown; message?: unknown }
    throw new ApiError(
      typeof e.code === 'string' ? e.code : statusCode(res.status),
      typeof e.message === 'string' && e.message !== '' ? e.message : t('error.generic'),
      res.status,
    )
  }
  return data as T
}

function statusCode(status: number): string {
  if (status === 404) return 'not_found'
  if (status === 503) return 'unavailable'
  return status >= 500 ? 'internal' : 'invalid'
}

/** getStation returns the station's name, date and kiosk settings. */
export function getStation(): Promise<Station> {
  return request('GET', '/api/v1/station')
}

/** listServices returns the enabled services in display order, with queue lengths. */
export function listServices(): Promise<Service[]> {
  return request('GET', '/api/v1/services')
}

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
  const r = await request<{ print: PrintResult }>(
    'POST',
    `/api/v1/tickets/${encodeURIComponent(id)}/print`,
    { timeoutMs: PRINT_TIMEOUT_MS },
  )
  return r.print
}
