// Staff working at the kiosk itself (a station with one PC): a long press on the
// station name leads to the staff console in the same window, every staff screen then
// carries the way back, downloads stay off the lobby PC, and going back — by the button
// or by leaving the screen untouched — ends the login and shows the kiosk fresh. The
// kiosk window keeps no cookies, so the console also works on a held Bearer token; the
// real window is checked by the desktop smoke test.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { addStaff, assertNoPageErrors, issueTickets, launchBrowser, openKiosk, screenshot, startServer } from './helpers.mjs'

const CLERK = { name: '王芳', pin: '802468' }
const TOKEN_KEY = 'bingzhan.staff.token'

let server
let browser

before(async () => {
  server = await startServer([], { setup: (data) => addStaff(data, CLERK.name, 'staff', CLERK.pin) })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** enterConsole long-presses the station name on the kiosk's home screen and chooses the console. */
async function enterConsole(page) {
  const box = await page.locator('[data-test=station-name]').boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.waitForTimeout(3300)
  await page.mouse.up()
  await page.locator('[data-test=admin-console]').waitFor()
  await screenshot(page, 'kiosk-staff-door')
  await page.click('[data-test=admin-console]')
  await page.locator('[data-test=login]').waitFor()
  await page.locator('[data-test=kiosk-staff-bar]').waitFor()
}

/**
 * logIn logs in on the console's login screen and picks counter n. At the kiosk staff
 * tap their name (its touchscreen has no keyboard); on a PC they type it.
 */
async function logIn(page, n) {
  if (await page.locator('[data-test=kiosk-staff-bar]').count()) {
    await page.locator('[data-test=login-chip]', { hasText: CLERK.name }).click()
  } else {
    await page.fill('[data-test=login-name]', CLERK.name)
  }
  await page.click('[data-test=key-clear]')
  for (const d of CLERK.pin) await page.click(`[data-test=key-${d}]`)
  await page.click('[data-test=login-submit]')
  await page.locator(`[data-test=pick-counter-${n}], [data-test=desk]`).first().waitFor()
  if (await page.locator('[data-test=desk]').count()) await page.click('[data-test=change-counter]')
  await page.click(`[data-test=pick-counter-${n}]`)
  await page.locator('[data-test=desk]').waitFor()
}

/** me asks the station, with this page's cookies and held token, who is logged in. */
function me(page) {
  return page.evaluate(async (key) => {
    const token = sessionStorage.getItem(key)
    const r = await fetch('/api/v1/me', { headers: token ? { Authorization: 'Bearer ' + token } : {} })
    return r.status
  }, TOKEN_KEY)
}

describe('staff at the kiosk', () => {
  test('from the kiosk to the console and back: a call made, the login ended, the kiosk fresh', async () => {
    await browser.context.clearCookies()
    await issueTickets(server.url, 'A', 1)
    const page = await openKiosk(browser.context, server.url)
    await enterConsole(page)
    // The station's staff to tap, none chosen for them; the kiosk remembers nobody.
    await page.locator('[data-test=login-chip]').first().waitFor()
    assert.deepEqual((await page.locator('[data-test=login-chip]').allTextContents()).map((s) => s.trim()), [CLERK.name])
    assert.equal(await page.locator('[data-test=login-name]').inputValue(), '')
    await screenshot(page, 'kiosk-staff-login')
    await logIn(page, 1)

    await page.click('[data-test=act-call-next]')
    await page.locator('[data-test=current-number]').waitFor()
    assert.match((await page.locator("[data-test=current-number]").textContent()).trim(), /^[A-J]\d{3}$/)
    // Nothing is downloaded to the lobby PC, and the board does not take over the window.
    await page.locator('[data-test=stats] [data-test=no-downloads]').waitFor()
    assert.equal(await page.locator('[data-test=export-xlsx]').count(), 0)
    assert.equal(await page.locator('a[href="/board"]').count(), 0)
    await screenshot(page, 'kiosk-staff-console')

    // Every staff screen carries the way back.
    await page.click('[data-test=to-ledger]')
    await page.locator('[data-test=kiosk-staff-bar]').waitFor()
    await page.locator('[data-test=no-downloads]').waitFor()
    assert.equal(await page.locator('[data-test=export-csv]').count(), 0)

    await page.click('[data-test=back-to-kiosk]')
    await page.waitForURL(server.url + '/')
    await page.locator('[data-test=station-name]').waitFor()
    assert.equal(await page.locator('[data-test=kiosk-staff-bar]').count(), 0)
    assert.equal(await me(page), 401, 'the login ended')
    // The console on a staff PC is unchanged: no bar, and downloads are there.
    await logInOnStaffPC()
    assertNoPageErrors(page)
    await page.close()
  })

  test('without cookies (the kiosk window) the console works on a held token, dropped on the way back', async () => {
    await browser.context.clearCookies()
    await issueTickets(server.url, 'B', 1)
    const page = await openKiosk(browser.context, server.url)
    // Like the window's wails:// page: the station's Set-Cookie is never kept.
    await page.route('**/api/v1/login', async (route) => {
      const res = await route.fetch()
      // route.fetch shares the context's cookie jar: empty it again.
      await browser.context.clearCookies()
      const headers = { ...res.headers() }
      delete headers['set-cookie']
      await route.fulfill({ response: res, headers })
    })
    await enterConsole(page)
    await logIn(page, 2)
    assert.deepEqual((await browser.context.cookies()).map((c) => c.name), [], 'no cookie was kept')
    const token = await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)
    assert.ok(token, 'the token is held for the tab')

    await page.click('[data-test=act-call-next]')
    await page.locator('[data-test=current-number]').waitFor()
    // A reload (the window's page can be reloaded) keeps the login for the tab.
    await page.reload()
    await page.locator('[data-test=desk]').waitFor()
    await page.locator('[data-test=kiosk-staff-bar]').waitFor()

    await page.click('[data-test=back-to-kiosk]')
    await page.waitForURL(server.url + '/')
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY), null)
    const res = await fetch(server.url + '/api/v1/me', { headers: { Authorization: 'Bearer ' + token } })
    assert.equal(res.status, 401, 'the held token no longer opens anything')
    assertNoPageErrors(page)
    await page.close()
  })

  test('left untouched, the console asks, then logs out and gives the kiosk back', async () => {
    await browser.context.clearCookies()
    const page = await openKiosk(browser.context, server.url, { path: '/?idle=4,3' })
    await enterConsole(page)
    await logIn(page, 1)
    await page.locator('[data-test=idle-warning]').waitFor({ timeout: 8000 })
    assert.match(await page.locator('[data-test=idle-warning]').textContent(), /退出登录/)
    await screenshot(page, 'kiosk-staff-idle')
    await page.waitForURL(server.url + '/', { timeout: 10000 })
    await page.locator('[data-test=station-name]').waitFor()
    assert.equal(await me(page), 401)
    assertNoPageErrors(page)
    await page.close()
  })
})

/** logInOnStaffPC opens the console directly, as a staff PC does: no bar, downloads offered. */
async function logInOnStaffPC() {
  const page = await openKiosk(browser.context, server.url, { path: '/staff' })
  await page.locator('[data-test=login]').waitFor()
  await logIn(page, 1)
  assert.equal(await page.locator('[data-test=kiosk-staff-bar]').count(), 0)
  await page.locator('[data-test=stats] [data-test=export-xlsx]').waitFor()
  await page.close()
}
