// The visit store: one self-registration at the kiosk (来访登记) — the ID number of the
// person concerned, the relation, the visitor's phone, the service and matter, and the
// masked answer. All of it is personal, so clearVisit forgets it on leaving the
// registration, on 返回首页 and on the idle reset; nothing is kept anywhere else.
import { reactive } from 'vue'
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
 * submitVisit registers the visit. The request id is made once, so a double tap or a
 * retry after a lost answer returns the same visit. A ticket taken at this kiosk in this
 * session (today) is tied to it. On success the numbers typed are forgotten: only the
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
  // Only today's ticket can be tied (the station answers 422 for another day's).
  const ticket = tickets.current
  if (ticket && (!station.info?.date || ticket.date === station.info.date)) req.ticket_id = ticket.id
  const r = await run(() => api.registerVisit(req))
  if (!r) return
  if (!r.ok) {
    visit.error = r.err.message
    return
  }
  visit.result = r.value
  visit.idNumber = ''
  visit.idChecked = ''
  visit.phone = ''
  visit.step = 'done'
}
