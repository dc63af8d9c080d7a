// The check-in store: one person at the kiosk saying 我有预约 — their ID number or the
// booking's six-digit code, and what the station answered when it gave no ticket
// (too early, or no booking today). A ticket it gave becomes the tickets store's
// current one (showCheckIn) and the ticket screen takes over. The ID number is
// personal: clearCheckIn forgets everything on leaving the screen and on idle reset.
import { reactive } from 'vue'
import * as api from '../api'
import { checkIdInto, runner, setIdInto, type IdEntry } from '../idnumber'
import { newRequestId, showCheckIn } from './tickets'

/** CheckInStep is the screen of the check-in: the two ways in, and the two ends without a ticket. */
export type CheckInStep = 'id' | 'code' | 'early' | 'none'

/** CODE_LENGTH is the length of a booking's code. */
export const CODE_LENGTH = 6

/** CODE_GROUPS split a code for reading back: 3-3. */
export const CODE_GROUPS: [number, number][] = [
  [0, 3],
  [3, 6],
]

/** Early is when the booking is and from when it may be checked in ('' for a later day). */
export interface Early {
  date: string
  time: string
  from: string
}

/** CheckInState is everything the check-in screens show or send. */
export interface CheckInState extends IdEntry {
  step: CheckInStep
  /** How the last check-in was asked, for 重新输入 after "none found". */
  by: 'id' | 'code'
  code: string
  /** The station's words about a code it refused (422), or a failed request. */
  codeError: string
  early: Early | null
  busy: boolean
}

function initial(): CheckInState {
  return {
    step: 'id',
    by: 'id',
    idNumber: '',
    idChecked: '',
    idError: null,
    error: '',
    code: '',
    codeError: '',
    early: null,
    busy: false,
  }
}

/** checkIn is the shared check-in state. */
export const checkIn = reactive<CheckInState>(initial())

// Answers that arrive after the person left (or after an idle reset) belong to nobody.
let generation = 0
const run = runner(checkIn, () => generation)

// A retried check-in (a double tap, a lost answer) names the same request; another
// number or code is another request.
let requestFor = ''
let requestId = ''

/** clearCheckIn forgets the ID number, the code and the answer. */
export function clearCheckIn(): void {
  generation++
  requestFor = ''
  Object.assign(checkIn, initial())
}

/** setIdNumber changes the typed ID number; a change forgets the last check. */
export function setIdNumber(v: string): void {
  setIdInto(checkIn, v)
}

/** checkId asks the station whether the typed ID number is valid (idnumber.ts). */
export function checkId(): Promise<boolean> {
  return checkIdInto(checkIn, run)
}

/** setCode changes the typed code. */
export function setCode(v: string): void {
  checkIn.code = v.replace(/\D/g, '').slice(0, CODE_LENGTH)
  checkIn.codeError = ''
  checkIn.error = ''
}

/** go shows a step, clearing the last message. */
export function go(step: CheckInStep): void {
  checkIn.error = ''
  checkIn.codeError = ''
  checkIn.step = step
}

/**
 * submitCheckIn checks in by the number (by 'id') or the code on screen. It returns the
 * ticket's id when the station gave one (on time, late, or checked in before), and
 * otherwise moves to the early or none step, or leaves the station's words on the
 * current one. null also when the store was cleared meanwhile.
 */
export async function submitCheckIn(by: 'id' | 'code'): Promise<string | null> {
  const req: api.CheckInRequest = by === 'id' ? { id_number: checkIn.idChecked } : { code: checkIn.code }
  const key = by + ':' + (req.id_number ?? req.code)
  if (key !== requestFor) {
    requestFor = key
    requestId = newRequestId()
  }
  checkIn.by = by
  checkIn.codeError = ''
  const r = await run(() => api.checkIn({ ...req, request_id: requestId }))
  if (!r) return null
  if (r.ok) return showCheckIn(r.value).id
  const err = r.err
  const early = err.status === 409 ? (err.body.early as Partial<Early> | undefined) : undefined
  if (early?.time) {
    checkIn.early = { date: early.date ?? '', time: early.time, from: early.from ?? '' }
    go('early')
  } else if (err.status === 404) {
    go('none')
  } else if (by === 'code') {
    checkIn.codeError = err.message
  } else {
    checkIn.error = err.message
  }
  return null
}

/** retry goes back to the way the person checked in last, with what they typed cleared. */
export function retry(): void {
  if (checkIn.by === 'code') setCode('')
  else setIdNumber('')
  go(checkIn.by)
}
