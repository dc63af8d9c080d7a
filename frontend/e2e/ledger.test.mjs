// The staff ledger (/staff/ledger) as staff use it: log in with the console's form,
// find the visits registered at the kiosk (masked), search by the last four phone
// digits and by pinyin initials, complete and close an entry and read its audit trail;
// an admin shows one entry in full with a reason, which the access log then lists; the
// masked export holds no full number; a staff member (not admin) cannot unmask.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { addStaff, assertNoPageErrors, launchBrowser, openKiosk, screenshot, startServer, VIEWPORTS } from './helpers.mjs'

// The demo admin is made only on a station without accounts: these tests make their own.
const ADMIN = { name: '站长', pin: '246810' }
const CLERK = { name: '王芳', pin: '135790' }

let server
let browser
const kiosk = {}

/** registerAtKiosk registers a visit the way the kiosk does (no session). */
async function registerAtKiosk(body) {
  const res = await fetch(`${server.url}/api/v1/visits`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...body, request_id: randomUUID() }),
  })
  assert.equal(res.status, 201, `register: ${res.status}`)
  return res.json()
}

before(async () => {
  server = await startServer([], { setup: async (data) => {
      await addStaff(data, ADMIN.name, 'admin', ADMIN.pin)
      await addStaff(data, CLERK.name, 'staff', CLERK.pin)
    },
  })
  browser = await launchBrowser()
  kiosk.person = server.people.ready
  kiosk.first = await registerAtKiosk({
    id_number: kiosk.person.id,
    phone: '13812345678',
    relation: 'child',
    service: 'B',
    matter: 'B5',
  })
  kiosk.second = await registerAtKiosk({
    id_number: server.people.issued.id,
    phone: '13900001111',
    relation: 'self',
    service: 'A',
    matter: 'A1',
  })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** login opens the ledger and logs in with the console's form and keypad. */
async function login(who) {
  await browser.context.clearCookies()
  const page = await openKiosk(browser.context, server.url, { path: '/staff/ledger', viewport: VIEWPORTS.fullHD })
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await page.click('[data-test=key-clear]')
  for (const d of who.pin) await page.click(`[data-test=key-${d}]`)
  await page.click('[data-test=login-submit]')
  await page.locator('[data-test=visit-list]').waitFor()
  return page
}

const row = (serial) => `[data-test="visit-${serial}"]`

async function search(page, q) {
  await page.fill('[data-test=q]', q)
  await page.click('[data-test=search]')
  await page.waitForFunction(
    (q) => document.querySelector('[data-test=q]')?.value === q,
    q,
  )
  await page.waitForTimeout(300)
}

describe('staff ledger', () => {
  test('without a session the login form is shown, with nothing of the ledger', async () => {
    await browser.context.clearCookies()
    const page = await openKiosk(browser.context, server.url, { path: '/staff/ledger' })
    await page.locator('[data-test=ledger-login-needed]').waitFor()
    assert.equal(await page.locator('[data-test=visit-list]').count(), 0)
    await page.close()
  })

  test('staff see the kiosk visits masked, search by last four digits and by pinyin initials, complete and close', async () => {
    const page = await login(CLERK)
    const first = page.locator(row(kiosk.first.serial))
    await first.waitFor()
    const id = kiosk.person.id
    assert.equal((await first.locator('[data-test=row-id]').textContent()).trim(), `${id.slice(0, 6)}********${id.slice(14)}`)
    assert.equal((await first.locator('[data-test=row-phone]').textContent()).trim(), '138****5678')
    assert.ok(!(await page.content()).includes(id), 'a full ID number is in the page')
    await screenshot(page, 'ledger-list')

    // A staff member has no "show in full" and no access log.
    assert.equal(await page.locator('[data-test=export-full]').count(), 0)
    assert.equal(await page.locator('[data-test=show-access]').count(), 0)

    // Last four phone digits.
    await search(page, '5678')
    await page.locator(row(kiosk.second.serial)).waitFor({ state: 'detached' })
    await first.waitFor()
    assert.match(await page.textContent('[data-test=total]'), /1/)
    await screenshot(page, 'ledger-search-last4')

    // Complete it: the visitor's name, a summary, the outcome; save.
    await first.click()
    await page.locator('[data-test=visit-detail]').waitFor()
    assert.equal(await page.locator('[data-test=unmask]').count(), 0)
    await page.fill('[data-test=f-visitor-name]', '王小明')
    await page.fill('[data-test=f-summary]', '代父亲领取优待证')
    await page.selectOption('[data-test=f-outcome]', 'handled')
    await page.fill('[data-test=f-follow-up]', '2030-01-15')
    await page.click('[data-test=save]')
    await page.locator('[data-test=save-note]').waitFor()
    const audit = page.locator('[data-test=audit-item]')
    assert.equal(await audit.count(), 2)
    const change = await audit.first().textContent()
    assert.match(change, /王芳/)
    assert.match(change, /来访人姓名/)
    assert.match(change, /2030-01-15/)
    assert.ok(!change.includes('王小明'), 'the audit trail shows a name')

    // Pinyin initials of the visitor's name.
    await search(page, 'wxm')
    await first.waitFor()
    assert.match(await page.textContent('[data-test=total]'), /1/)
    await screenshot(page, 'ledger-search-initials')

    // Close it.
    await page.click('[data-test=save-close]')
    await page.locator('[data-test=visit-detail][data-status=closed]').waitFor()
    assert.equal(await audit.count(), 3)
    assert.match(await audit.first().textContent(), /办结/)
    await screenshot(page, 'ledger-closed')

    // The open filter no longer lists it.
    await page.click('[data-test=clear-filter]')
    await page.click('[data-test=status-open]')
    await page.locator(row(kiosk.first.serial)).waitFor({ state: 'detached' })
    await page.locator(row(kiosk.second.serial)).waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('an admin shows an entry in full with a reason; the access log lists it', async () => {
    const page = await login(ADMIN)
    await page.click(row(kiosk.second.serial))
    await page.locator('[data-test=visit-detail]').waitFor()
    await page.click('[data-test=unmask]')
    await page.locator('[data-test=reason-dialog]').waitFor()
    await page.click('[data-test=reason-confirm]')
    await page.locator('[data-test=reason-error]').waitFor()
    await page.fill('[data-test=reason]', '本人来电核对身份')
    await screenshot(page, 'ledger-unmask-reason')
    await page.click('[data-test=reason-confirm]')
    await page.locator('[data-test=unmasked]').waitFor()
    assert.equal((await page.textContent('[data-test=clear-id]')).trim(), server.people.issued.id)
    assert.equal((await page.textContent('[data-test=clear-phone]')).trim(), '13900001111')
    await screenshot(page, 'ledger-unmasked')

    await page.click('[data-test=show-access]')
    const entry = page.locator('[data-test=access-row]').first()
    await entry.waitFor()
    const text = await entry.textContent()
    assert.match(text, /站长/)
    assert.match(text, /本人来电核对身份/)
    assert.ok(text.includes(kiosk.second.serial), text)
    await screenshot(page, 'ledger-access-log')

    // The export in full: a reason, a file, and a line in the access log.
    await page.click('[data-test=show-access]')
    await page.click('[data-test=export-full]')
    await page.fill('[data-test=reason]', '县中心年度核查')
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=reason-confirm]')])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    await page.locator('[data-test=reason-dialog]').waitFor({ state: 'detached' })
    await page.click('[data-test=show-access]')
    await page.locator('[data-test=access-row]', { hasText: '县中心年度核查' }).waitFor()
    assertNoPageErrors(page)

    // The masked export (the link staff click) holds no full number.
    await page.click('[data-test=show-access]')
    await page.locator('[data-test=export-csv]').waitFor()
    const href = await page.getAttribute('[data-test=export-csv]', 'href')
    const res = await page.context().request.get(server.url + href)
    assert.equal(res.status(), 200)
    const csv = await res.text()
    assert.ok(csv.includes(kiosk.first.serial), 'the export lacks the visit')
    assert.ok(!csv.includes(kiosk.person.id), 'the masked export holds a full ID number')
    assert.ok(!csv.includes('13812345678'), 'the masked export holds a full phone')
    await page.close()
  })
})
