// Services (业务) the kiosk offers tickets for (docs/api.md).
import { request } from './client'
import type { Service } from './types'

/** listServices returns the enabled services in display order, with queue lengths. */
export function listServices(): Promise<Service[]> {
  return request('GET', '/api/v1/services')
}
