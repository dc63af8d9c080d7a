// The visit store: one self-registration at the kiosk (来访登记) — the ID number of the
// person concerned, the relation, the visitor's phone, the service and matter, and the
// masked answer. All of it is personal, so clearVisit forgets it on leaving the
// registration, on 返回首页 and on the idle reset; nothing is kept anywhere else (the
// ticket screen's note of a registered visit, ticketVisit, is a serial and a ticket id;
// followToTicket keeps the visit's id and request id until the ticket is taken).
import { reactive } from 'vue'
import type { Router } from 'vue-router'
import * as api from '../api'
import { ID_LENGTH, checkIdInto, runner, setIdInto } from '../idnumber'
import { station } from './station'
import { newRequestId, tickets } from './tickets'

/** VisitStep is the screen of the registration, in order. */
export type VisitStep = 'notice' | 'id' | 'relation' | 'phone' | 'service' | 'matter' | 'confirm' | 'done'

/** STEPS are the steps that ask something, for the "第 n 步，共 m 步" line. */
export const STEPS: VisitStep[] = ['id', 'relation', 'phone', 'service', 'matter', 'confirm']

export { ID_LENGTH }

/** PHONE_LENGTH is the length of a mainland mobile number. */
export const PHONE_LENGTH = 11

/** PHONE_GROUPS split a mobile number for reading back: 3-4-4. */
export const PHONE_GROUPS: [number, number][] = [
  [0, 3],
  [3, 7],
  [7, 11],
]

/** VisitState is everything the registration screens show or send. */
export interface VisitState {
  step: VisitStep
  matters: api.VisitMatters | null
  loadError: string
  idNumber: string
  /** The number that passed the station's check; '' until then. */
  idChecked: string
  idError: { message: string; reason: string } | null
  relation: string
  phone: string
  phoneError: string
  service: string
  matter: string
  /** Made once per registration: a double tap or a retry registers one visit. */
  requestId: string
  result: api.KioskVisit | null
  busy: boolean
  /** A calm message about the last failed request, shown on the current screen. */
  error: string
}

function initial(): VisitState {
  return {
    step: 'notice',
    matters: null,
    loadError: '',
    idNumber: '',
    idChecked: '',
    idError: null,
    relation: '',
    phone: '',
    phoneError: '',
    service: '',
    matter: '',
    requestId: '',
    result: null,
    busy: false,
    error: '',
  }
}

/** visit is the shared registration state. */
export const visit = reactive<VisitState>(initial())

// Answers that arrive after the person left (or after an idle reset) belong to nobody.
let generation = 0

/** clearVisit forgets the whole registration: numbers, choices and the answer. */
export function clearVisit(): void {
  generation++
  Object.assign(visit, initial())
}

// run does one request for the current visitor; see runner.
const run = runner(visit, () => generation)

/** loadMatters reads the notice, relations and matters in the language on screen. */
export async function loadMatters(): Promise<void> {
  visit.loadError = ''
  const r = await run(api.getVisitMatters)
  if (!r) return
  if (r.ok) visit.matters = r.value
  else visit.loadError = r.err.message
}

/** setIdNumber changes the typed ID number; a change forgets the last check. */
export function setIdNumber(v: string): void {
  setIdInto(visit, v)
}

/** checkId asks the station whether the typed ID number is valid (idnumber.ts). */
export function checkId(): Promise<boolean> {
  return checkIdInto(visit, run)
}

/** setPhone changes the typed phone number. */
export function setPhone(v: string): void {
  visit.phone = v.replace(/\D/g, '').slice(0, PHONE_LENGTH)
  visit.phoneError = ''
}

/** phoneProblem returns the translation key of what is wrong with the phone, or ''. */
export function phoneProblem(p: string): string {
  if (p.length !== PHONE_LENGTH) return 'visit.phone.short'
  if (p[0] !== '1') return 'visit.phone.first'
  return ''
}

/** chosenService returns the service chosen for this visit, with its matters. */
export function chosenService(): api.VisitService | undefined {
  return visit.matters?.services.find((s) => s.letter === visit.service)
}

/** maskId shows an ID number as staff and paper do: 110105********002X. */
export function maskId(id: string): string {
  return id.length === ID_LENGTH ? `${id.slice(0, 6)}********${id.slice(14)}` : ''
}

/** maskPhone shows a phone as 138****5678. */
export function maskPhone(p: string): string {
  return p.length === PHONE_LENGTH ? `${p.slice(0, 3)}****${p.slice(7)}` : ''
}

/**
 * ticketToTie returns the ticket this registration will be tied to: the one on the
 * ticket screen it was started from, if it is today's (the station refuses another
 * day's with 422).
 */
export function ticketToTie(): api.Ticket | null {
  const ticket = tickets.current
  return ticket && (!station.info?.date || ticket.date === station.info.date) ? ticket : null
}

/**
 * submitVisit registers the visit. The request id is made once, so a double tap or a
 * retry after a lost answer returns the same visit. The ticket it was started from
 * (ticketToTie) is tied to it. On success the numbers typed are forgotten: only the
 * station's masked answer stays on screen.
 */
export async function submitVisit(): Promise<void> {
  if (visit.busy || visit.step !== 'confirm') return
  visit.requestId ||= newRequestId()
  const req: api.RegisterVisitRequest = {
    id_number: visit.idChecked,
    phone: visit.phone,
    relation: visit.relation,
    service: visit.service,
    matter: visit.matter,
    request_id: visit.requestId,
  }
  const ticket = ticketToTie()
  if (ticket) req.ticket_id = ticket.id
  const r = await run(() => api.registerVisit(req))
  if (!r) return
  if (!r.ok) {
    visit.error = r.err.message
    return
  }
  visit.result = r.value
  if (r.value.ticket_id) registeredFor(r.value.ticket_id, r.value.serial)
  visit.idNumber = ''
  visit.idChecked = ''
  visit.phone = ''
  visit.step = 'done'
}

/**
 * ticketVisit is the visit registered for the ticket on screen, so the ticket screen
 * says it is done (with the serial) rather than offering to register again. It holds
 * no personal data and only counts for that one ticket id.
 */
export const ticketVisit = reactive({ ticketId: '', serial: '' })

function registeredFor(ticketId: string, serial: string): void {
  ticketVisit.ticketId = ticketId
  ticketVisit.serial = serial
}

/** visitSerialFor returns the serial of the visit registered for a ticket here, or ''. */
export function visitSerialFor(ticketId: string): string {
  return ticketVisit.ticketId !== '' && ticketVisit.ticketId === ticketId ? ticketVisit.serial : ''
}

let stopFollowing: (() => void) | null = null

/** FollowedVisit is what followToTicket keeps of a visit: ids and the serial only. */
export interface FollowedVisit {
  id: string
  serial: string
  /** The request id the visit was registered with: the station's proof for the tie. */
  requestId: string
}

/**
 * followToTicket carries a visit just registered (without a ticket) to the ticket the
 * person takes next: the priority question, then the ticket screen, which then shows
 * the serial instead of a button to register again. When the ticket screen first
 * opens with the new ticket, the visit is tied to it in the ledger (tieTicket), so
 * staff calling the number find the visit. Going anywhere else (home, the idle reset)
 * drops it, so it never reaches the next person's ticket.
 */
export function followToTicket(router: Router, v: FollowedVisit): void {
  stopFollowing?.()
  registeredFor('', v.serial)
  const stop = router.afterEach((to) => {
    if (to.name === 'priority' && ticketVisit.ticketId === '') return
    const id = typeof to.params.id === 'string' ? to.params.id : ''
    if (to.name === 'ticket' && id !== '' && (ticketVisit.ticketId === '' || ticketVisit.ticketId === id)) {
      if (ticketVisit.ticketId === '') void tieTicket(v, id)
      ticketVisit.ticketId = id
      return
    }
    registeredFor('', '')
    stop()
    stopFollowing = null
  })
  stopFollowing = stop
}

// A lost answer or a busy station is worth another try (the tie is idempotent); a
// refusal (4xx) is final.
const TIE_TRIES = 3
const TIE_RETRY_MS = 3_000
const TIE_TIMEOUT_MS = 10_000

/**
 * tieTicket ties visit v to the ticket just taken (POST /api/v1/visits/{id}/ticket).
 * It runs in the background: the person already sees the ticket, and a failure does
 * not concern them (staff can still find the visit by its serial), so it is logged
 * for whoever services the kiosk, never shown. The log names the serial and the
 * ticket id only.
 */
async function tieTicket(v: FollowedVisit, ticketId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const problem = await postTie(v, ticketId)
    if (problem === '') return
    const final = problem.startsWith('4') || attempt >= TIE_TRIES
    if (final) {
      console.warn(`来访登记 ${v.serial} 未能关联排队票 ${ticketId}（${problem}），工作人员可按登记号查找。`)
      return
    }
    await new Promise((resolve) => setTimeout(resolve, TIE_RETRY_MS))
  }
}

// postTie sends the tie once and returns '' on success, else "<status> <message>" or
// why no answer came. It calls fetch itself rather than through api/client.ts, whose errors
// are for screens: this one is never shown.
async function postTie(v: FollowedVisit, ticketId: string): Promise<string> {
  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(), TIE_TIMEOUT_MS)
  try {
    const res = await fetch(`/api/v1/visits/${encodeURIComponent(v.id)}/ticket`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
      body: JSON.stringify({ request_id: v.requestId, ticket_id: ticketId }),
      signal: ctrl.signal,
      credentials: 'same-origin',
    })
    if (res.ok) return ''
    const body = (await res.json().catch(() => ({}))) as { message?: unknown }
    return `${res.status} ${typeof body.message === 'string' ? body.message : ''}`.trim()
  } catch {
    return ctrl.signal.aborted ? 'timeout' : 'network'
  } finally {
    clearTimeout(timer)
  }
}
