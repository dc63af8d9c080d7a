// Station settings (/staff/settings) as a station's one admin uses them: add a staff
// member (PIN entered twice on the keypad, a slip refused), the new one logs in; a new
// PIN; unlock after five wrong PINs; remove (their open login ends at once); remove a
// counter, refused while it has a ticket. A staff member never sees the settings.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  VIEWPORTS,
  addStaff,
  assertNoPageErrors,
  issueTickets,
  launchBrowser,
  openKiosk,
  screenshot,
  staffApi,
  startServer,
} from './helpers.mjs'

const ADMIN = { name: '站长', pin: '975310' }
const CLERK = { name: '王芳', pin: '802468' }
const NEW = { name: '李强', pin: '135792', pin2: '864213' }

let server
let browser
let browser2

before(async () => {
  server = await startServer([], {
    setup: async (data) => {
      await addStaff(data, ADMIN.name, 'admin', ADMIN.pin)
      await addStaff(data, CLERK.name, 'staff', CLERK.pin)
    },
  })
  browser = await launchBrowser()
  browser2 = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await browser2?.close()
  await server?.stop()
})

/** login logs in on the page's staff login form (console or settings). */
async function login(page, who) {
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await page.click('[data-test=key-clear]')
  for (const d of who.pin) await page.click(`[data-test=key-${d}]`)
  await page.click('[data-test=login-submit]')
}

/** apiLogin answers the status of a login through the API. */
async function apiLogin(name, pin) {
  const res = await fetch(`${server.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, pin }),
  })
  return res.status
}

/** keypadPin types pin on the shared keypad inside scope. */
async function keypadPin(scope, pin) {
  for (const d of pin) await scope.locator(`[data-key="${d}"]`).click()
}

/** openSettings logs the admin in at /staff and follows the header's settings button. */
async function openSettings(context) {
  await context.clearCookies()
  const page = await openKiosk(context, server.url, { path: '/staff', viewport: VIEWPORTS.kiosk })
  await login(page, ADMIN)
  await page.locator('[data-test=to-settings]').click()
  await page.locator('[data-test=accounts] table').waitFor()
  assert.equal(new URL(page.url()).pathname, '/staff/settings')
  return page
}

const row = (page, name) => page.locator(`[data-test="account-${name}"]`)

describe('station settings', () => {
  let page

  test('a staff member sees no settings button, and the address tells them it is for admins', async () => {
    const p = await openKiosk(browser2.context, server.url, { path: '/staff' })
    await login(p, CLERK)
    await p.locator('[data-test=pick-counter-1]').waitFor()
    assert.equal(await p.locator('[data-test=to-settings]').count(), 0, 'settings button on the picker')
    await p.click('[data-test=pick-counter-1]')
    await p.locator('[data-test=desk]').waitFor()
    assert.equal(await p.locator('[data-test=to-settings]').count(), 0, 'settings button on the desk')

    await p.goto(server.url + '/staff/settings')
    await p.locator('[data-test=settings-admin-only]').waitFor()
    assert.match(await p.locator('[data-test=settings-admin-only]').innerText(), /只有管理员/)
    await screenshot(p, 'settings-staff-refused')
    assert.equal(await p.locator('[data-test=accounts]').count(), 0)
    // The station refuses them anyway.
    const status = await p.evaluate(async () => (await fetch('/api/v1/staff')).status)
    assert.equal(status, 403)
    assertNoPageErrors(p)
    await p.close()
  })

  test('the admin adds a staff member; a different second PIN is refused; the new one logs in', async () => {
    page = await openSettings(browser.context)
    assert.equal(await row(page, ADMIN.name).locator('[data-test=account-remove]').count(), 0, 'admin may remove themself')
    assert.match(await row(page, CLERK.name).innerText(), /工作人员/)
    await screenshot(page, 'settings-accounts')

    await page.click('[data-test=account-add]')
    const form = page.locator('[data-test=account-add-form]')
    await form.waitFor()
    await form.locator('[data-test=account-name]').fill(NEW.name)
    await form.locator('[data-test=account-role-staff]').click()
    await screenshot(page, 'settings-add')
    await form.locator('[data-test=account-next]').click()

    await keypadPin(form, NEW.pin)
    await form.locator('[data-test=pin-next]').click()
    assert.equal(await form.locator('[data-test=pin-twice]').getAttribute('data-step'), 'again')
    await keypadPin(form, '135790')
    await form.locator('[data-test=pin-next]').click()
    const err = form.locator('[data-test=pin-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /两次输入的 PIN 不一致/)
    assert.equal(await form.locator('[data-test=pin-twice]').getAttribute('data-step'), 'first')
    await screenshot(page, 'settings-add-mismatch')
    assert.equal(await apiLogin(NEW.name, NEW.pin), 401, 'an account was made from a mismatch')

    // A PIN the station finds too easy comes back with its message.
    await keypadPin(form, '123456')
    await form.locator('[data-test=pin-next]').click()
    await keypadPin(form, '123456')
    await form.locator('[data-test=pin-next]').click()
    await form.locator('[data-test=pin-error]').getByText('太容易被猜到').waitFor()

    await keypadPin(form, NEW.pin)
    await form.locator('[data-test=pin-next]').click()
    await keypadPin(form, NEW.pin)
    await form.locator('[data-test=pin-next]').click()
    await form.waitFor({ state: 'hidden' })
    assert.match(await page.locator('[data-test=accounts-done]').innerText(), /已添加“李强”/)
    await row(page, NEW.name).waitFor()
    assert.match(await row(page, NEW.name).innerText(), /从未登录/)

    await browser2.context.clearCookies()
    const p2 = await openKiosk(browser2.context, server.url, { path: '/staff' })
    await login(p2, NEW)
    await p2.locator('[data-test=pick-counter-1], [data-test=desk]').first().waitFor()
    assert.equal(await p2.locator('[data-test=to-settings]').count(), 0)
    assertNoPageErrors(p2)
    await p2.close()
    assertNoPageErrors(page)
  })

  test('a new PIN replaces the old one at once', async () => {
    await row(page, NEW.name).locator('[data-test=account-pin]').click()
    const form = page.locator('[data-test=account-pin-form]')
    await form.waitFor()
    await keypadPin(form, NEW.pin2)
    await form.locator('[data-test=pin-next]').click()
    await keypadPin(form, NEW.pin2)
    await form.locator('[data-test=pin-next]').click()
    await form.waitFor({ state: 'hidden' })
    assert.match(await page.locator('[data-test=accounts-done]').innerText(), /新 PIN/)
    assert.equal(await apiLogin(NEW.name, NEW.pin), 401, 'old PIN still works')
    assert.equal(await apiLogin(NEW.name, NEW.pin2), 200, 'new PIN refused')
    assertNoPageErrors(page)
  })

  test('after five wrong PINs the list shows the lock, and unlock lets the old PIN in', async () => {
    for (let i = 0; i < 5; i++) await apiLogin(NEW.name, '000111')
    assert.equal(await apiLogin(NEW.name, NEW.pin2), 429)
    await page.reload()
    const r = row(page, NEW.name)
    await r.locator('[data-test=account-locked]').waitFor()
    assert.match(await r.locator('[data-test=account-locked]').innerText(), /已锁定，\d\d:\d\d 自动解除/)
    await screenshot(page, 'settings-locked')
    await r.locator('[data-test=account-unlock]').click()
    await page.locator('[data-test=accounts-done]').getByText('已解锁').waitFor()
    await r.locator('[data-test=account-locked]').waitFor({ state: 'detached' })
    assert.equal(await apiLogin(NEW.name, NEW.pin2), 200)
    assertNoPageErrors(page)
  })

  test('a staff member is made admin and back', async () => {
    const r = row(page, CLERK.name)
    await r.locator('[data-test=account-role]').click()
    await page.locator('[data-test=accounts-done]').getByText('“王芳”现在是管理员').waitFor()
    await r.getByText('设为工作人员').waitFor()
    const clerk = await staffApi(server.url, CLERK.name, CLERK.pin)
    assert.equal((await clerk.get('/api/v1/staff')).status, 200, 'promoted, yet refused')
    await r.locator('[data-test=account-role]').click()
    await page.locator('[data-test=accounts-done]').getByText('“王芳”现在是工作人员').waitFor()
    assert.equal((await clerk.get('/api/v1/staff')).status, 403, 'demoted, yet allowed')
    assertNoPageErrors(page)
  })

  test('removing asks first, then ends the removed person\'s open login at once', async () => {
    await browser2.context.clearCookies()
    const p2 = await openKiosk(browser2.context, server.url, { path: '/staff' })
    await login(p2, { name: NEW.name, pin: NEW.pin2 })
    await p2.locator('[data-test=pick-counter-1], [data-test=desk]').first().waitFor()

    // Cancel keeps the account.
    await row(page, NEW.name).locator('[data-test=account-remove]').click()
    const dialog = page.locator('[data-test=account-remove-dialog]')
    await dialog.waitFor()
    assert.match(await dialog.innerText(), /删除账户“李强”？/)
    assert.match(await dialog.innerText(), /仍保留其姓名/)
    await screenshot(page, 'settings-remove')
    await dialog.locator('.van-dialog__cancel').click()
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(await row(page, NEW.name).count(), 1)

    await row(page, NEW.name).locator('[data-test=account-remove]').click()
    await dialog.locator('.van-dialog__confirm').click()
    await row(page, NEW.name).waitFor({ state: 'detached' })
    assert.match(await page.locator('[data-test=accounts-done]').innerText(), /已删除账户“李强”/)

    const me = await p2.evaluate(async () => (await fetch('/api/v1/me')).status)
    assert.equal(me, 401, 'the removed person is still logged in')
    assert.equal(await apiLogin(NEW.name, NEW.pin2), 401)
    // Their console goes back to the login form at its next request.
    await p2.reload()
    await p2.locator('[data-test=login]').waitFor()
    await p2.close()
    assertNoPageErrors(page)
  })

  test('a counter with a ticket cannot be removed; once free it can, after a confirm', async () => {
    const admin = await staffApi(server.url, ADMIN.name, ADMIN.pin)
    assert.equal((await admin.put('/api/v1/counters/3', { name: '综合窗口', services: ['B'] })).status, 200)
    await issueTickets(server.url, 'B', 1)
    const called = await admin.post('/api/v1/counters/3/call-next')
    assert.equal(called.status, 200)
    const number = called.body.number

    await page.locator('.van-tab', { hasText: '窗口' }).click()
    await page.locator('[data-test=settings-counter-3]').waitFor()
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'counters')
    assert.match(await page.locator('[data-test=settings-counter-3]').innerText(), new RegExp(`正在处理 ${number}`))
    await screenshot(page, 'settings-counters')

    await page.click('[data-test=edit-counter-3]')
    const editor = page.locator('[data-test=counter-editor]')
    await editor.waitFor()
    assert.ok(await editor.locator('[data-test=counter-remove]').isDisabled(), 'a busy counter offers removal')
    assert.match(await editor.locator('[data-test=counter-remove-why]').innerText(), new RegExp(`正在处理 ${number}`))
    await editor.getByText('取消').click()
    await editor.waitFor({ state: 'hidden' })

    assert.equal((await admin.post(`/api/v1/tickets/${called.body.id}/finish`)).status, 200)
    await page.click('[data-test=edit-counter-3]')
    await editor.waitFor()
    const remove = editor.locator('[data-test=counter-remove]')
    await page.waitForFunction(() => !document.querySelector('[data-test=counter-remove]')?.disabled)
    await remove.click()
    const dialog = page.locator('[data-test=counter-remove-dialog]')
    await dialog.waitFor()
    assert.match(await dialog.innerText(), /删除“综合窗口”？/)
    await screenshot(page, 'settings-counter-remove')
    await dialog.locator('.van-dialog__confirm').click()
    await page.locator('[data-test=settings-counter-3]').waitFor({ state: 'detached' })
    assert.match(await page.locator('[data-test=counters-done]').innerText(), /已删除“综合窗口”/)
    const counters = await admin.get('/api/v1/counters')
    assert.deepEqual(
      counters.body.map((c) => c.number),
      [1, 2],
    )
    assertNoPageErrors(page)
  })

  test('the console\'s header leads an admin to the settings and back', async () => {
    await page.click('[data-test=settings-back]')
    await page.locator('[data-test=pick-counter-1]').click()
    await page.locator('[data-test=desk]').waitFor()
    await screenshot(page, 'settings-desk-button')
    await page.click('[data-test=to-settings]')
    await page.locator('[data-test=accounts] table').waitFor()
    assertNoPageErrors(page)
  })

  test('in English every word is English', async () => {
    await page.click('[data-test=staff-lang-en]')
    await page.locator('.van-tab', { hasText: 'Staff accounts' }).click()
    await page.getByText('Station settings').waitFor()
    await row(page, CLERK.name).waitFor()
    const text = await page.locator('[data-test=settings]').innerText()
    assert.doesNotMatch(text, /settings\.|staff\./, 'a translation key shows as text')
    for (const cjk of ['工作人员', '管理员', '重置', '删除', '从未登录', '上次登录']) {
      assert.ok(!text.includes(cjk), `Chinese left in English: ${cjk}`)
    }
    assert.match(text, /Reset PIN/)
    await screenshot(page, 'settings-accounts-en')
    await page.click('[data-test=account-add]')
    await page.locator('[data-test=account-add-form]').waitFor()
    await screenshot(page, 'settings-add-en')
    await page.locator('[data-test=account-add-form]').getByText('Cancel').click()
    await page.locator('.van-tab', { hasText: 'Counters' }).click()
    await page.locator('[data-test=settings-counter-1]').waitFor()
    await screenshot(page, 'settings-counters-en')
    await page.click('[data-test=staff-lang-zh-CN]')
    assertNoPageErrors(page)
  })
})
