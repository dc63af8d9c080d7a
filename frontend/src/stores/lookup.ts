// The lookup store: one person's entitlement lookup at the kiosk — the anonymous
// wizard's answers and results, and the personal lookup's ID number, phone digits and
// record. All of it is personal, so clearLookup forgets it on leaving the lookup, on
// 返回首页 and on the idle reset; nothing is kept anywhere else.
import { reactive } from 'vue'
import * as api from '../api'
import { ID_LENGTH, checkIdInto, runner, setIdInto } from '../idnumber'
import { issueTicket, newRequestId } from './tickets'

/** WizardStep is the screen of the anonymous wizard. */
export type WizardStep = 'group' | 'categories' | 'question' | 'results'

/** PersonalStep is the screen of the personal lookup. */
export type PersonalStep = 'notice' | 'id' | 'phone' | 'result' | 'locked'

export { ID_LENGTH }

/** LookupState is everything the lookup screens show or send. */
export interface LookupState {
  // The wizard.
  wizardStep: WizardStep
  categories: api.LookupCategory[]
  categoriesError: string
  group: string
  chosen: string[]
  questions: api.Question[]
  questionIndex: number
  /** Answers by question key; a skipped question has no entry. */
  answers: Record<string, string>
  eligibility: api.Eligibility | null

  // The personal lookup.
  personalStep: PersonalStep
  idNumber: string
  /** The number that passed the station's check; '' until then. */
  idChecked: string
  idError: { message: string; reason: string } | null
  phoneLast4: string
  person: api.PersonLookup | null
  /** One request key per service for the shown record: a double tap is one ticket. */
  ticketRequests: Record<string, string>
  /** The station's words on the "ask at the counter" screen when it has its own. */
  lockedMessage: string

  // Both.
  busy: boolean
  /** A calm message about the last failed request, shown on the current screen. */
  error: string
}

function initial(): LookupState {
  return {
    wizardStep: 'group',
    categories: [],
    categoriesError: '',
    group: '',
    chosen: [],
    questions: [],
    questionIndex: 0,
    answers: {},
    eligibility: null,
    personalStep: 'notice',
    idNumber: '',
    idChecked: '',
    idError: null,
    phoneLast4: '',
    person: null,
    ticketRequests: {},
    lockedMessage: '',
    busy: false,
    error: '',
  }
}

/**
 * CARD_SERVICE is the service of the preferential-treatment card's business, whose
 * counter looks a person up when the kiosk cannot (backend/person.go gives the same
 * letter for a card's business).
 */
export const CARD_SERVICE = 'B'

/** lookup is the shared lookup state. */
export const lookup = reactive<LookupState>(initial())

// Answers that arrive after the person left (or after an idle reset) belong to nobody:
// every request remembers the generation it started in and drops its answer if the
// store was cleared meanwhile.
let generation = 0

/** clearLookup forgets everything of the lookup: answers, ID number, phone digits, record. */
export function clearLookup(): void {
  generation++
  Object.assign(lookup, initial())
}

/** clearWizard forgets the wizard's answers and results only. */
export function clearWizard(): void {
  generation++
  const i = initial()
  Object.assign(lookup, {
    wizardStep: i.wizardStep,
    group: i.group,
    chosen: i.chosen,
    questions: i.questions,
    questionIndex: i.questionIndex,
    answers: i.answers,
    eligibility: i.eligibility,
    busy: false,
    error: '',
  })
}

/** clearPersonal forgets the ID number, phone digits and record. */
export function clearPersonal(): void {
  generation++
  const i = initial()
  Object.assign(lookup, {
    personalStep: i.personalStep,
    idNumber: i.idNumber,
    idChecked: i.idChecked,
    idError: i.idError,
    phoneLast4: i.phoneLast4,
    person: i.person,
    ticketRequests: i.ticketRequests,
    lockedMessage: i.lockedMessage,
    busy: false,
    error: '',
  })
}

// run does one request for the current person; see runner.
const run = runner(lookup, () => generation)

// ---- The wizard ----

/** GROUPS are the sections of the "who are you" screen, in the order shown. */
export const GROUPS = ['veteran', 'family', 'other'] as const

/** groupOf returns the section a category belongs to; unknown groups count as other. */
export function groupOf(c: api.LookupCategory): string {
  return c.group === 'veteran' || c.group === 'family' ? c.group : 'other'
}

/** loadCategories reads the categories in the language on screen. */
export async function loadCategories(): Promise<void> {
  lookup.categoriesError = ''
  const r = await run(api.getCategories)
  if (!r) return
  if (r.ok) lookup.categories = r.value.categories
  else lookup.categoriesError = r.err.message
}

/** chooseGroup opens the categories of one section. */
export function chooseGroup(group: string): void {
  if (lookup.group !== group) lookup.chosen = []
  lookup.group = group
  lookup.wizardStep = 'categories'
}

/** toggleCategory chooses or unchooses a category; several may apply. */
export function toggleCategory(code: string): void {
  const i = lookup.chosen.indexOf(code)
  if (i >= 0) lookup.chosen.splice(i, 1)
  else lookup.chosen.push(code)
}

/**
 * confirmCategories asks the station which questions matter for the chosen categories
 * and shows the first, or the results when none does.
 */
export async function confirmCategories(): Promise<void> {
  if (lookup.busy || lookup.chosen.length === 0) return
  const chosen = [...lookup.chosen]
  const r = await run(() => api.getQuestions(chosen))
  if (!r) return
  if (!r.ok) {
    lookup.error = r.err.message
    return
  }
  lookup.questions = r.value.slice(0, 3)
  lookup.answers = {}
  lookup.questionIndex = 0
  if (lookup.questions.length > 0) lookup.wizardStep = 'question'
  else await showResults()
}

/** answerQuestion records an answer ('' skips the question) and moves on. */
export async function answerQuestion(key: string, value: string): Promise<void> {
  if (lookup.busy) return
  if (value === '') delete lookup.answers[key]
  else lookup.answers[key] = value
  if (lookup.questionIndex + 1 < lookup.questions.length) {
    lookup.questionIndex++
    return
  }
  await showResults()
}

/** wizardBack goes one screen back in the wizard. */
export function wizardBack(): void {
  lookup.error = ''
  switch (lookup.wizardStep) {
    case 'categories':
      lookup.wizardStep = 'group'
      break
    case 'question':
      if (lookup.questionIndex > 0) lookup.questionIndex--
      else lookup.wizardStep = 'categories'
      break
    case 'results':
      lookup.eligibility = null
      if (lookup.questions.length > 0) {
        lookup.questionIndex = lookup.questions.length - 1
        lookup.wizardStep = 'question'
      } else {
        lookup.wizardStep = 'categories'
      }
      break
    default:
      break
  }
}

/** eligibilityRequest turns the answers into the request body of /eligibility. */
export function eligibilityRequest(): api.EligibilityRequest {
  const req: api.EligibilityRequest = { categories: [...lookup.chosen] }
  for (const [key, value] of Object.entries(lookup.answers)) {
    switch (key) {
      case 'disability_grade':
        req.disability_grade = Number(value)
        break
      case 'disability_cause':
      case 'birth_date':
      case 'sex':
      case 'residence':
      case 'relation':
        req[key] = value
        break
      default:
        break
    }
  }
  return req
}

/** showResults asks the station for the entitlements and shows them. */
export async function showResults(): Promise<void> {
  const req = eligibilityRequest()
  const r = await run(() => api.checkEligibility(req))
  if (!r) return
  if (!r.ok) {
    lookup.error = r.err.message
    return
  }
  lookup.eligibility = r.value
  lookup.wizardStep = 'results'
}

// ---- The personal lookup ----

/** setIdNumber changes the typed ID number; a change forgets the last check. */
export function setIdNumber(v: string): void {
  setIdInto(lookup, v)
}

/** checkId asks the station whether the typed ID number is valid (idnumber.ts). */
export function checkId(): Promise<boolean> {
  return checkIdInto(lookup, run)
}

/** setPhoneLast4 changes the typed phone digits. */
export function setPhoneLast4(v: string): void {
  // The last answer (with the attempts left) stays until the next try replaces it.
  lookup.phoneLast4 = v.replace(/\D/g, '').slice(0, 4)
}

/**
 * submitLookup looks the person up. A wrong ID number or last four digits leave the
 * station's message (with the attempts left) and empty the digits; a locked number
 * (423), or a device paused after too many wrong answers (429, reason paused), shows
 * the "ask at the counter" screen.
 */
export async function submitLookup(): Promise<void> {
  if (lookup.busy || lookup.phoneLast4.length !== 4) return
  const id = lookup.idChecked || lookup.idNumber
  const last4 = lookup.phoneLast4
  const r = await run(() => api.lookupPerson(id, last4))
  if (!r) return
  if (r.ok) {
    lookup.person = r.value
    lookup.ticketRequests = {}
    lookup.phoneLast4 = ''
    lookup.personalStep = 'result'
    return
  }
  lookup.phoneLast4 = ''
  const paused = r.err.status === 429 && r.err.body.reason === 'paused'
  if (r.err.status === 423 || paused) {
    lookup.lockedMessage = paused ? r.err.message : ''
    lookup.person = null
    lookup.idNumber = ''
    lookup.idChecked = ''
    lookup.personalStep = 'locked'
    return
  }
  if (r.err.status === 422 && lookup.idChecked === '') {
    lookup.idError = { message: r.err.message, reason: '' }
    lookup.personalStep = 'id'
    return
  }
  lookup.error = r.err.message
}

// The priority cases of the kiosk's priority question (PriorityView), as the record
// shows them: disabled veterans and the families of martyrs, of members who died on
// duty or of illness, and of serving members. Age 80+ comes from the ID number.
const PRIORITY_CATEGORIES = new Set([
  'DISABLED_VET',
  'MARTYR_FAMILY',
  'MARTYR_CHILD_60',
  'DUTY_DEATH_FAMILY',
  'ILLNESS_DEATH_FAMILY',
  'ACTIVE_FAMILY',
  'CONSCRIPT_FAMILY',
])

/** ageFromId returns the age in full years from the birth date inside an ID number. */
export function ageFromId(id: string, today = new Date()): number {
  const m = id.match(/^\d{6}(\d{4})(\d{2})(\d{2})/)
  if (!m) return 0
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  let age = today.getFullYear() - y
  if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d)) age--
  return age
}

/**
 * personPriority tells whether the looked-up person is served first: the record
 * answers the priority question, so the person is not asked it again.
 */
export function personPriority(): boolean {
  const p = lookup.person
  if (!p) return false
  return p.categories.some((c) => PRIORITY_CATEGORIES.has(c.code)) || ageFromId(lookup.idChecked) >= 80
}

/**
 * takePersonTicket takes a ticket for the looked-up person (the B ticket to collect a
 * card, or the card's next step) with their ID number, so the station keeps one open
 * ticket per person and service. Returns the ticket id, or '' with lookup.error set.
 */
export async function takePersonTicket(service: string): Promise<string> {
  if (lookup.busy || !lookup.person) return ''
  const requestId = (lookup.ticketRequests[service] ||= newRequestId())
  const req: api.IssueTicketRequest = {
    service,
    priority: personPriority(),
    request_id: requestId,
    id_number: lookup.idChecked,
  }
  const r = await run(() => issueTicket(req))
  if (!r) return ''
  if (!r.ok) {
    lookup.error = r.err.message
    return ''
  }
  return r.value.id
}
