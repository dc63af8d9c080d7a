// The entitlement wizard and the personal lookup (docs/lookup.md).
import { request } from './client'
import type { Categories, Eligibility, EligibilityRequest, IdCheck, PersonLookup, Question, Questions } from './types'

/** getCategories returns the person categories for the "who are you" screens. */
export function getCategories(): Promise<Categories> {
  return request('GET', '/api/v1/categories')
}

/** getQuestions returns at most three follow-up questions that matter for the categories. */
export async function getQuestions(categories: string[]): Promise<Question[]> {
  const q = new URLSearchParams({ categories: categories.join(',') })
  const r = await request<Questions>('GET', `/api/v1/catalog/questions?${q.toString()}`)
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
