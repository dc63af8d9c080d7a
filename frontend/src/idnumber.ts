// Typing a resident ID number at the kiosk (GB 11643), shared by the personal lookup
// and visitor registration: cleaning what is typed, the groups it is shown in, which
// digits the station's reason points at, asking the station to check it, and how the
// keypad screen behaves (useIdKeypad).
import { computed, onBeforeUnmount, onMounted, watch, type ComputedRef, type WritableComputedRef } from 'vue'
import { ApiError, checkIdNumber } from './api'

/** ID_LENGTH is the length of a resident ID number. */
export const ID_LENGTH = 18

/** ID_GROUPS split the number for reading back: area, birth date, sequence + check. */
export const ID_GROUPS: [number, number][] = [
  [0, 6],
  [6, 14],
  [14, 18],
]

/** IdEntry is the part of a store that holds an ID number being typed. */
export interface IdEntry {
  idNumber: string
  /** the number the station last found valid */
  idChecked: string
  idError: { message: string; reason: string } | null
  error: string
  busy: boolean
}

/** Result is what a store's request runner returns; null when the store was cleared. */
export type Result<T> = { ok: true; value: T } | { ok: false; err: ApiError } | null

/** Runner does one request for a store, marking it busy and dropping stale answers. */
export type Runner = <T>(fn: () => Promise<T>) => Promise<Result<T>>

/**
 * runner makes a store's Runner: it marks the store busy, and drops the answer if the
 * store was cleared (its generation moved on) while the request was under way.
 */
export function runner(state: { busy: boolean; error: string }, generation: () => number): Runner {
  return async <T>(fn: () => Promise<T>): Promise<Result<T>> => {
    const gen = generation()
    state.busy = true
    state.error = ''
    try {
      const value = await fn()
      if (gen !== generation()) return null
      return { ok: true, value }
    } catch (e) {
      if (gen !== generation()) return null
      return { ok: false, err: e instanceof ApiError ? e : new ApiError('internal', (e as Error).message) }
    } finally {
      if (gen === generation()) state.busy = false
    }
  }
}

/** setIdInto changes the typed number; a change forgets the last check. */
export function setIdInto(state: IdEntry, v: string): void {
  const clean = v.toUpperCase().replace(/[^0-9X]/g, '').slice(0, ID_LENGTH)
  if (clean === state.idNumber) return
  state.idNumber = clean
  state.idChecked = ''
  state.idError = null
  state.error = ''
}

/** idMarked tells which characters the station's reason for refusing points at. */
export function idMarked(reason: string): (i: number) => boolean {
  if (reason === 'area') return (i) => i < 6
  if (reason === 'birth' || reason === 'birth_future') return (i) => i >= 6 && i < 14
  if (reason === 'checksum') return (i) => i === ID_LENGTH - 1
  if (reason === 'chars') return () => true
  return () => false
}

/**
 * checkIdInto asks the station whether the typed number is valid. A wrong one leaves
 * the station's own words and reason (which part is wrong); a failed request leaves a
 * message to retry. Returns whether the number is valid.
 */
export async function checkIdInto(state: IdEntry, run: Runner): Promise<boolean> {
  const id = state.idNumber
  if (id !== '' && state.idChecked === id) return true
  const r = await run(() => checkIdNumber(id))
  if (!r || state.idNumber !== id) return false
  if (r.ok) {
    state.idChecked = id
    state.idError = null
    return true
  }
  if (r.err.status === 422) {
    const reason = typeof r.err.body.reason === 'string' ? r.err.body.reason : ''
    state.idError = { message: r.err.message, reason }
  } else {
    state.error = r.err.message
  }
  return false
}

/** IdKeypad is what an ID-number screen binds to its keypad and buttons. */
export interface IdKeypad {
  /** the Keypad's v-model */
  model: WritableComputedRef<string>
  /** the Keypad's maxlength: one more than a number, so a reader's re-scan gets through */
  maxlength: number
  /** the station accepted the number on screen */
  valid: ComputedRef<boolean>
  /** which characters the station's reason for refusing points at */
  marked: ComputedRef<(i: number) => boolean>
  /** 下一步 (or a reader's Enter): go on once the number is valid */
  next: () => void
}

/**
 * useIdKeypad is the behaviour of an ID-number screen, the same for the lookup and the
 * visit: the number is checked by the station as soon as 18 characters are there;
 * next() goes on once it is valid, also when a reader's Enter comes right after the
 * 18th character, before the check answers; and an ID-card reader that types like a
 * keyboard into a full field starts a new number, while a finger tapping one key too
 * many is ignored. setId and check are the store's; onNext moves to the next screen.
 */
export function useIdKeypad(
  state: IdEntry,
  setId: (v: string) => void,
  check: () => Promise<boolean>,
  onNext: () => void,
): IdKeypad {
  const valid = computed(() => state.idChecked !== '' && state.idChecked === state.idNumber)
  const marked = computed(() => idMarked(state.idError?.reason ?? ''))

  // A key typed on a keyboard (or by a reader) rather than tapped: set for the length of
  // one key event, so the model can tell a new scan from a stray tap.
  let typed = false
  function onKeyCapture(e: KeyboardEvent): void {
    if (e.ctrlKey || e.altKey || e.metaKey) return
    typed = true
    setTimeout(() => (typed = false))
  }
  onMounted(() => window.addEventListener('keydown', onKeyCapture, { capture: true }))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeyCapture, { capture: true }))

  const model = computed({
    get: () => state.idNumber,
    set: (v: string) => {
      if (v.length > ID_LENGTH) {
        // A full field and one more character: from a reader it begins a new number,
        // from a finger it is a slip and is ignored.
        if (!typed) return
        v = v.slice(ID_LENGTH)
      }
      setId(v)
    },
  })

  let wantNext = false
  async function runCheck(): Promise<void> {
    const ok = await check()
    if (ok && wantNext) onNext()
    wantNext = false
  }
  watch(
    () => state.idNumber,
    (id) => {
      if (id.length === ID_LENGTH) void runCheck()
    },
  )

  function next(): void {
    if (valid.value) {
      onNext()
      return
    }
    wantNext = true
    if (!state.busy) void runCheck()
  }

  return { model, maxlength: ID_LENGTH + 1, valid, marked, next }
}
