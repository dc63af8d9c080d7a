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
  /** The whole error answer, for endpoints that add fields (reason, attempts_left). */
  readonly body: Record<string, unknown>

  constructor(code: string, message: string, status = 0, body: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.body = body
  }
}

const DEFAULT_TIMEOUT_MS = 10_000
// Issuing a ticket prints it before answering, and a thermal printer can be slow.
const PRINT_TIMEOUT_MS = 25_000

interface RequestOptions {
  body?: unknown
  timeoutMs?: number
}

// A staff session rides on an HttpOnly cookie. The kiosk window's page (origin
// wails://wails) keeps no cookies, so there the console holds the login's token for the
// tab, in sessionStorage, and sends it as a Bearer token; it is dropped at logout, when
// the station no longer knows it, and when the console hands the screen back to the
// kiosk. Browsers whose cookies work never store it.
const TOKEN_KEY = 'bingzhan.staff.token'

function heldToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return ''
  }
}

/** forgetToken drops a staff token held for this tab, if there is one. */
export function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // Nothing was held.
  }
}

function authHeaders(headers: Record<string, string>): Record<string, string> {
  const token = heldToken()
  if (token) headers.Authorization = 'Bearer ' + token
  return headers
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const t = i18n.global.t
  const headers: Record<string, string> = authHeaders({
    Accept: 'application/json',
    'Accept-Language': i18n.global.locale.value,
  })
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

  // Logout and PIN changes answer 204 with no body.
  if (res.status === 204) return undefined as T

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
      typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {},
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

/** exitKiosk asks the station to close the kiosk window; it needs an admin's PIN. */
export async function exitKiosk(pin: string): Promise<void> {
  await request('POST', '/api/v1/kiosk/exit', { body: { pin } })
}

// ---- Staff console and lobby board (docs/staff.md) ----

/** Role is what a staff account may do: admins also manage accounts and counters. */
export type Role = 'staff' | 'admin'

/** StaffSession is the answer of POST /api/v1/login and GET /api/v1/me. */
export interface StaffSession {
  name: string
  role: Role
  expires_at: string
  /** Only in the login answer (login() keeps it to itself): scripts send it as Bearer. */
  token?: string
}

/** TicketStatus is where a ticket is in its day. */
export type TicketStatus = 'waiting' | 'called' | 'serving' | 'held' | 'done' | 'no_show' | 'expired'

/** Call is one call of a ticket to a counter, as the board shows and speaks it. */
export interface Call {
  number: string
  service: string
  counter: number
  counter_name: string
  status: TicketStatus
  at: string
  recall?: boolean
  text_zh: string
  text_en: string
  /** URLs of the voice clips (/voice/<name>.ogg), in the order spoken. */
  clips: string[]
}

/** Counter is a staff position (窗口) with the services it serves. */
export interface Counter {
  number: number
  name: string
  services: string[]
  current: Call | null
}

/** Step is one entry of a ticket's history. */
export interface Step {
  action: string
  at: string
  by?: string
  counter?: number
  service?: string
}

/** StaffTicket is a ticket as the staff console sees it, with its times and history. */
export interface StaffTicket {
  id: string
  number: string
  service: string
  origin?: string
  priority: boolean
  status: TicketStatus
  counter?: number
  date: string
  issued_at: string
  called_at: string | null
  last_called_at: string | null
  started_at: string | null
  ended_at: string | null
  /** Seconds from issue to the first call (or to now while it waits). */
  waited_s: number
  recalls: number
  outcome?: string
  history: Step[]
  call?: Call
  /** The ledger entry registered with this ticket (来访登记); null if none or the ledger is off. */
  visit: TicketVisit | null
}

/** TicketVisit is what the counter shows of the visit tied to a ticket: nothing personal. */
export interface TicketVisit {
  /** The visit's id, to open it in the ledger (/staff/ledger?visit=id). */
  id: string
  /** Ledger number, per year: 2026-0017. */
  serial: string
  /** Service letter. */
  service: string
  /** Matter code (B2) and its name in the request's language. */
  matter: string
  matter_name: string
}

/** WaitingTicket is one open ticket in the staff's lists. */
export interface WaitingTicket {
  id: string
  number: string
  service: string
  origin?: string
  priority: boolean
  status: TicketStatus
  counter?: number
  issued_at: string
  /** Seconds since issue. */
  waited_s: number
  /** On the waiting list's active tickets only: the visit tied to the ticket, or null. */
  visit?: TicketVisit | null
}

/** ServiceQueue is one service's waiting tickets in calling order. */
export interface ServiceQueue {
  letter: string
  name_zh: string
  name_en: string
  tickets: WaitingTicket[]
}

/** WaitingList is the answer of GET /api/v1/waiting: today's open tickets. */
export interface WaitingList {
  date: string
  services: ServiceQueue[]
  active: WaitingTicket[]
  held: WaitingTicket[]
  no_shows: WaitingTicket[]
}

/** BoardCounter is one counter on the lobby board. */
export interface BoardCounter {
  number: number
  name: string
  current: Call | null
}

/** ServiceWaiting is how many wait for one service. */
export interface ServiceWaiting {
  letter: string
  name_zh: string
  name_en: string
  waiting: number
}

/** Board is the answer of GET /api/v1/board: public, no personal data. */
export interface Board {
  date: string
  counters: BoardCounter[]
  /** The last calls, newest first, one per ticket. */
  recent: Call[]
  waiting: ServiceWaiting[]
}

/** QueueCounts is the data of a `queue` event; letters with nobody waiting are absent. */
export interface QueueCounts {
  date: string
  waiting: Record<string, number>
}

/** TicketEvent is the data of a staff `ticket` event. */
export interface TicketEvent {
  id: string
  number: string
  service: string
  status: TicketStatus
  counter?: number
  action: string
  by: string
  at: string
}

/** StatRow is one line of the day's figures; times are in seconds. */
export interface StatRow {
  key: string
  name_zh: string
  name_en: string
  issued: number
  called: number
  served: number
  no_shows: number
  expired: number
  open: number
  avg_wait_s: number
  p90_wait_s: number
  avg_walk_s: number
  p90_walk_s: number
  avg_service_s: number
  p90_service_s: number
}

/** Stats is the answer of GET /api/v1/stats: one day's figures. */
export interface Stats {
  date: string
  station: StatRow
  services: StatRow[]
  counters: StatRow[]
}

/** TicketAction is an action of POST /api/v1/tickets/{id}/{action}. */
export type TicketAction = 'call' | 'recall' | 'start' | 'hold' | 'resume' | 'no-show' | 'transfer' | 'finish'

/** TicketActionBody is the optional body of a ticket action. */
export interface TicketActionBody {
  counter?: number
  service?: string
  outcome?: string
}

/**
 * login opens a staff session; the answer sets the session cookie. Where the cookie
 * does not come back (the kiosk window), the token is held for the tab instead.
 */
export async function login(name: string, pin: string): Promise<StaffSession> {
  forgetToken()
  const se = await request<StaffSession>('POST', '/api/v1/login', { body: { name, pin } })
  try {
    await getMe()
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'unauthorized') || !se.token) throw e
    try {
      sessionStorage.setItem(TOKEN_KEY, se.token)
    } catch {
      throw e
    }
  }
  return { ...se, token: undefined }
}

/** logout ends the session, clears its cookie and drops a held token. */
export async function logout(): Promise<void> {
  try {
    await request('POST', '/api/v1/logout')
  } finally {
    forgetToken()
  }
}

/** kioskStaffNames lists the staff to tap at the kiosk's login (only the kiosk PC gets it). */
export async function kioskStaffNames(): Promise<string[]> {
  const r = await request<{ names: string[] }>('GET', '/api/v1/kiosk/staff-names')
  return r.names
}

/** getMe returns the live session of this browser; `unauthorized` if there is none. */
export async function getMe(): Promise<StaffSession> {
  try {
    return await request<StaffSession>('GET', '/api/v1/me')
  } catch (e) {
    if (e instanceof ApiError && e.code === 'unauthorized') forgetToken()
    throw e
  }
}

/** listCounters returns the counters with what each calls or serves now. */
export function listCounters(): Promise<Counter[]> {
  return request('GET', '/api/v1/counters')
}

/** putCounter creates or changes a counter (admin). */
export function putCounter(n: number, name: string, services: string[]): Promise<Counter> {
  return request('PUT', `/api/v1/counters/${n}`, { body: { name, services } })
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

/** getStats returns a day's figures; today's without a date. */
export function getStats(date?: string): Promise<Stats> {
  return request('GET', '/api/v1/stats' + (date ? `?date=${encodeURIComponent(date)}` : ''))
}

/**
 * statsExportURL is the download address of a day's report (the cookie authorises it),
 * in lang: a download link cannot send Accept-Language.
 */
export function statsExportURL(format: 'csv' | 'xlsx', date?: string, lang?: string): string {
  const q = new URLSearchParams({ format })
  if (date) q.set('date', date)
  if (lang) q.set('lang', lang)
  return `/api/v1/stats/export?${q.toString()}`
}

/** EVENTS_URL is the station's Server-Sent Events stream (docs/staff.md). */
export const EVENTS_URL = '/api/v1/events'

// ---- Station settings: accounts and counters (admin; docs/staff.md) ----

/** StaffAccount is one account as admins see it; times are RFC 3339 or null. */
export interface StaffAccount {
  name: string
  role: Role
  created_at: string
  last_login: string | null
  /** Set while wrong PINs keep the account locked. */
  locked_until: string | null
}

const staffPath = (name: string): string => `/api/v1/staff/${encodeURIComponent(name)}`

/** listStaff returns every account, by name. */
export function listStaff(): Promise<StaffAccount[]> {
  return request('GET', '/api/v1/staff')
}

/** addStaff creates an account; the PIN is checked (6–12 digits, not too easy) by the station. */
export function addStaff(name: string, role: Role, pin: string): Promise<StaffAccount> {
  return request('POST', '/api/v1/staff', { body: { name, role, pin } })
}

/** setStaffPin gives an account a new PIN, unlocks it and ends its sessions. */
export function setStaffPin(name: string, pin: string): Promise<void> {
  return request('PUT', `${staffPath(name)}/pin`, { body: { pin } })
}

/** unlockStaff lifts the lock wrong PINs put on an account; the PIN stays. */
export function unlockStaff(name: string): Promise<void> {
  return request('POST', `${staffPath(name)}/unlock`)
}

/** setStaffRole makes an account staff or admin (not one's own, not the last admin). */
export function setStaffRole(name: string, role: Role): Promise<void> {
  return request('PUT', `${staffPath(name)}/role`, { body: { role } })
}

/** removeStaff deletes an account (not one's own, not the last admin); histories keep the name. */
export function removeStaff(name: string): Promise<void> {
  return request('DELETE', staffPath(name))
}

/** deleteCounter removes a counter; refused while it has a ticket or if it is the last. */
export function deleteCounter(n: number): Promise<void> {
  return request('DELETE', `/api/v1/counters/${n}`)
}

// ---- Entitlement lookup (docs/lookup.md) ----

/** LookupCategory is one kind of person the wizard asks about ("who are you"). */
export interface LookupCategory {
  code: string
  /** The formal name. */
  name: string
  /** First-person wording for the big buttons. */
  plain?: string
  /** A hint for the picture: medal flag atom wheelchair star heart home wreath family scale crutch shield. */
  icon?: string
  /** veteran | family | other: the sections of the "who are you" screens. */
  group?: string
  parent?: string
  relations?: string[]
  has_card: boolean
}

/** Categories is the answer of GET /api/v1/categories. */
export interface Categories {
  catalog_version: string
  categories: LookupCategory[]
}

/** QuestionOption is one answer of a choice question. */
export interface QuestionOption {
  value: string
  label: string
}

/** Question is one follow-up question; key names the eligibility field it fills. */
export interface Question {
  key: string
  kind: 'choice' | 'year'
  text: string
  options?: QuestionOption[]
  /** The year range of a `year` question. */
  min?: number
  max?: number
}

/** EligibilityRequest is the body of POST /api/v1/eligibility; unanswered fields are left out. */
export interface EligibilityRequest {
  categories: string[]
  disability_grade?: number
  disability_cause?: string
  birth_date?: string
  sex?: string
  residence?: string
  relation?: string
}

/** LookupDocument is something to bring. */
export interface LookupDocument {
  code: string
  name: string
}

/** Entitlement is one item a person is (verdict yes) or possibly entitled to. */
export interface Entitlement {
  id: string
  title: string
  domain: string
  verdict: 'yes' | 'possibly'
  /** true: show as "possibly — ask staff", with the reasons. */
  staff_review: boolean
  reasons?: string[]
  summary: string
  /** The relative who enjoys it (child …), with for_text saying so. */
  for?: string
  for_text?: string
  documents: LookupDocument[]
  where: string
  /** The ticket letter to ask about the item. */
  service: string
  service_name: string
  scope: string
  region?: string
  source: string
}

/** EntitlementDomain is one domain (生活, 医疗 …) with how many items it lists. */
export interface EntitlementDomain {
  code: string
  name: string
  count: number
}

/** Eligibility is the answer of POST /api/v1/eligibility: items ordered by domain. */
export interface Eligibility {
  catalog_version: string
  domains: EntitlementDomain[]
  entitlements: Entitlement[]
  questions: Question[]
}

/** IdCheck is the answer of POST /api/v1/id/check for a valid number. */
export interface IdCheck {
  valid: boolean
  masked: string
}

/** CardEvent is one step of a preferential card's history. */
export interface CardEvent {
  status: string
  name: string
  date: string
}

/** Card is where a person's preferential card (优待证) stands and what to do next. */
export interface Card {
  status: string
  name: string
  next_step: string
  /** The ticket letter for the next step, absent when nothing is to do. */
  service?: string
  service_name?: string
  history: CardEvent[]
}

/** PersonLookup is the answer of POST /api/v1/lookup: masked, never the plain number. */
export interface PersonLookup {
  name: string
  id_number: string
  categories: LookupCategory[]
  disability_grade?: number
  disability_grade_name?: string
  disability_cause?: string
  disability_cause_name?: string
  card: Card
  /** The card waits at the station: offer the one-tap B ticket. */
  collect_ticket: boolean
  catalog_version: string
  domains: EntitlementDomain[]
  entitlements: Entitlement[]
}

/** getCategories returns the person categories for the "who are you" screens. */
export function getCategories(): Promise<Categories> {
  return request('GET', '/api/v1/categories')
}

/** getQuestions returns at most three follow-up questions that matter for the categories. */
export async function getQuestions(categories: string[]): Promise<Question[]> {
  const q = new URLSearchParams({ categories: categories.join(',') })
  const r = await request<{ questions: Question[] }>('GET', `/api/v1/catalog/questions?${q.toString()}`)
  return r.questions
}

/** checkEligibility returns the entitlements for the chosen categories and answers. */
export function checkEligibility(req: EligibilityRequest): Promise<Eligibility> {
  return request('POST', '/api/v1/eligibility', { body: req })
}

/**
 * checkIdNumber validates an ID number on the station. A wrong one throws an ApiError
 * whose message says what is wrong and whose body.reason is one of empty, length,
 * chars, area, birth, birth_future, checksum.
 */
export function checkIdNumber(idNumber: string): Promise<IdCheck> {
  return request('POST', '/api/v1/id/check', { body: { id_number: idNumber } })
}

/**
 * lookupPerson finds a person's record by ID number and the last four phone digits.
 * Fails with status 404 (body.attempts_left), 423 (locked: send to staff) or 422.
 */
export function lookupPerson(idNumber: string, phoneLast4: string): Promise<PersonLookup> {
  return request('POST', '/api/v1/lookup', { body: { id_number: idNumber, phone_last4: phoneLast4 } })
}

// ---- County sync (docs/sync-protocol.md) ----

/**
 * SyncState is the station's link to the county in one word: not_enrolled (no county
 * configured), ok, behind (records wait, the county answers), offline (the last
 * attempt failed), attention (dead letters wait for an admin).
 */
export type SyncState = 'ok' | 'behind' | 'offline' | 'attention' | 'not_enrolled'

/** SyncError is the last failure of the sync agent, in the words of the request's language. */
export interface SyncError {
  code: string
  message: string
  at: string
}

/** DeadLetter is a record the county refused; it waits for an admin to retry or discard it. */
export interface DeadLetter {
  seq: number
  id: string
  kind: string
  at: string
  code: string
  message: string
  rejected_at: string
}

/** SyncStatus is the answer of GET /api/v1/sync; times are station-local RFC 3339. */
export interface SyncStatus {
  state: SyncState
  enrolled: boolean
  county?: string
  station_name?: string
  pending: number
  oldest_pending_at: string | null
  oldest_pending_age_s: number
  last_attempt: string | null
  last_success: string | null
  failing_since: string | null
  last_error: SyncError | null
  county_contiguous: number
  dead_letters: DeadLetter[]
}

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

// ---- Visitor ledger (docs/ledger.md) ----

/** CodeName is a code with its name in the request's language. */
export interface CodeName {
  code: string
  name: string
}

/** VisitService is one service the kiosk registers visits for, with its matters. */
export interface VisitService {
  letter: string
  name: string
  matters: CodeName[]
}

/** VisitMatters is the answer of GET /api/v1/visits/matters: what the kiosk's screens need. */
export interface VisitMatters {
  retention_days: number
  notice: { title: string; text: string }
  relations: CodeName[]
  services: VisitService[]
}

/** RegisterVisitRequest is the kiosk's body of POST /api/v1/visits. */
export interface RegisterVisitRequest {
  id_number: string
  phone: string
  relation: string
  service: string
  matter: string
  ticket_id?: string
  request_id: string
}

/** KioskVisit is what the kiosk is told of a registration: masked, never the name. */
export interface KioskVisit {
  id: string
  serial: string
  date: string
  created_at: string
  id_number: string
  phone: string
  relation: string
  relation_name: string
  service: string
  service_name: string
  matter: string
  matter_name: string
  ticket_id?: string
  ticket_number?: string
  existing: boolean
}

/** VisitOutcome is what came of a visit. */
export type VisitOutcome = 'answered' | 'handled' | 'accepted' | 'referred' | 'declined'

/** Visit is a ledger entry as staff see it; masked unless an admin unmasked it. */
export interface Visit {
  id: string
  serial: string
  date: string
  created_at: string
  source: 'kiosk' | 'staff'
  created_by: string
  ticket_id?: string
  ticket_number?: string
  relation: string
  relation_name: string
  service: string
  service_name: string
  matter: string
  matter_name: string
  id_number: string
  phone: string
  name: string
  visitor_name: string
  name_from_registry: boolean
  categories: string[]
  summary: string
  handled_by: string
  outcome: VisitOutcome | ''
  outcome_name?: string
  outcome_note: string
  referred_to: string
  status: 'open' | 'closed'
  closed_at: string | null
  follow_up: string | null
  follow_up_due: boolean
  updated_at: string
  version: number
  masked: boolean
}

/** VisitChange is one changed field of an audit entry; values only for codes, dates, staff names. */
export interface VisitChange {
  field: string
  field_name: string
  old?: string
  new?: string
}

/** VisitAudit is one entry of a visit's audit trail. */
export interface VisitAudit {
  at: string
  by: string
  action: 'created' | 'updated' | 'closed' | 'reopened'
  action_name: string
  version: number
  changes: VisitChange[]
}

/** VisitDetail is GET /api/v1/visits/{id}: the visit with its audit trail, oldest first. */
export interface VisitDetail extends Visit {
  audit: VisitAudit[]
}

/** VisitFilter selects visits for the list, the search and the export. */
export interface VisitFilter {
  from?: string
  to?: string
  service?: string
  status?: 'open' | 'closed' | ''
  follow_up_due?: boolean
  q?: string
  limit?: number
  offset?: number
}

/** VisitList is one page of visits, newest first, with the total that match. */
export interface VisitList {
  total: number
  visits: Visit[]
}

/** VisitPatch is PATCH /api/v1/visits/{id}: only the fields sent change; '' clears. */
export interface VisitPatch {
  version?: number
  name?: string
  visitor_name?: string
  relation?: string
  service?: string
  matter?: string
  categories?: string[]
  summary?: string
  handled_by?: string
  outcome?: string
  outcome_note?: string
  referred_to?: string
  follow_up?: string
  close?: boolean
  closed_at?: string
  reopen?: boolean
}

/** AccessEntry is one unmasking or unmasked export in the access log. */
export interface AccessEntry {
  id: string
  at: string
  by: string
  action: 'unmask' | 'export'
  action_name: string
  visit_id?: string
  serial?: string
  count?: number
  filter?: string
  reason: string
}

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
export function visitExportURL(format: 'csv' | 'xlsx', f: VisitFilter): string {
  const q = new URLSearchParams({ format })
  for (const k of ['from', 'to', 'service', 'status'] as const) {
    const v = f[k]
    if (v) q.set(k, v)
  }
  return `/api/v1/visits/export?${q.toString()}`
}

/**
 * exportVisitsUnmasked fetches the export in the clear (admin, reason required) and returns
 * the file with its name; the filter goes in the body, never in an address.
 */
export async function exportVisitsUnmasked(
  format: 'csv' | 'xlsx',
  f: VisitFilter,
  reason: string,
): Promise<{ blob: Blob; filename: string }> {
  const t = i18n.global.t
  let res: Response
  try {
    res = await fetch('/api/v1/visits/export', {
      method: 'POST',
      headers: authHeaders({ 'Content-Type': 'application/json', 'Accept-Language': i18n.global.locale.value }),
      body: JSON.stringify({ ...f, format, unmasked: true, reason }),
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError('network', t('error.network'))
  }
  if (!res.ok) {
    let e: { code?: string; message?: string } = {}
    try {
      e = await res.json()
    } catch {
      // Not our JSON: the generic message below.
    }
    throw new ApiError(e.code ?? statusCode(res.status), e.message || t('error.generic'), res.status)
  }
  const cd = res.headers.get('Content-Disposition') ?? ''
  const m = cd.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i)
  return { blob: await res.blob(), filename: m ? decodeURIComponent(m[1] ?? '') : `visits.${format}` }
}
