// The station itself (docs/api.md).
import { request } from './client'
import type { Station } from './types'

/** getStation returns the station's name, date and kiosk settings. */
export function getStation(): Promise<Station> {
  return request('GET', '/api/v1/station')
}
