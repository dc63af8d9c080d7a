// A station as a package installs it — no demo, no account — gets its first admin at
// the kiosk, with no terminal: the home screen says quietly how, a long press on the
// station name leads to one screen for the name (站长 already there) and one for the
// PIN twice on the keypad, and the new admin lands in the staff console, logged in.
// Afterwards the kiosk's staff entry is the login again and the hint is gone.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { VIEWPORTS, assertFits, assertNoPageErrors, launchBrowser, openKiosk, screenshot, startServer } from './helpers.mjs'

const ADMIN = { name: '站长', pin: '975310' }
const ORIENTATIONS = [
  ['landscape', VIEWPORTS.fullHD],
  ['portrait', VIEWPORTS.portrait],
]

let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** holdName long-presses the station name on the kiosk's home screen and waits for the staff's choices. */
async function holdName(page) {
  const box = await page.locator('[data-test=station-name]').boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.waitForTimeout(3300)
  await page.mouse.up()
  await page.locator('[data-test=admin-console]').waitFor()
}

/** keypad types digits on the shared keypad inside scope. */
async function keypad(scope, digits) {
  for (const d of digits) await scope.locator(`[data-key="${d}"]`).click()
}

/** pinTwice enters pin, then again, on the first-admin screen. */
async function pinTwice(page, pin, again = pin) {
  const form = page.locator('[data-test=first-admin]')
  await keypad(form, pin)
  await form.locator('[data-test=pin-next]').click()
  await page.locator('[data-test=pin-twice][data-step=again]').waitFor()
  await keypad(form, again)
  await form.locator('[data-test=pin-next]').click()
}

/** setupState asks the station, as the kiosk does, whether it still needs its first admin. */
async function setupState(url) {
  const res = await fetch(`${url}/api/v1/setup`)
  assert.equal(res.status, 200)
  return res.json()
}

/** login answers the status of a login through the API. */
async function login(url, who) {
  const res = await fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  })
  return res.status
}

/** hintFits checks that the hint sits under the station name, whole and on screen. */
async function hintFits(page, what) {
  const name = await page.locator('[data-test=station-name]').boundingBox()
  const hint = await page.locator('[data-test=setup-hint]').boundingBox()
  const vp = page.viewportSize()
  assert.ok(hint.y >= name.y + name.height - 2, `${what}: the hint is not under the station name`)
  assert.ok(hint.x >= 0 && hint.x + hint.width <= vp.width, `${what}: the hint is cut off`)
  // A quiet line, not a heading: smaller than the station's name.
  const size = (sel) => page.locator(sel).evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  assert.ok((await size('[data-test=setup-hint]')) < (await size('[data-test=station-name]')), `${what}: the hint shouts`)
  assert.ok((await size('[data-test=setup-hint]')) >= 18, `${what}: the hint is too small to read`)
}

describe('a station just installed', () => {
  let server

  before(async () => {
    server = await startServer([], { demo: false })
  })

  after(async () => {
    await server?.stop()
  })

  test('the kiosk home says quietly how staff set up the first admin, in both orientations', async () => {
    assert.deepEqual(await setupState(server.url), { first_admin: true, at_kiosk: true })
    for (const [name, viewport] of ORIENTATIONS) {
      const page = await openKiosk(browser.context, server.url, { viewport })
      const hint = page.locator('[data-test=setup-hint]')
      await hint.waitFor()
      assert.equal((await hint.innerText()).trim(), '首次使用：长按站名 3 秒，设置管理员')
      await hintFits(page, name)
      await assertFits(page, `home, ${name}`)
      // The visitors' choices are where they always are.
      await page.locator('[data-test=choice-ticket]').waitFor()
      await screenshot(page, `first-admin-home-${name}`)
      assertNoPageErrors(page)
      await page.close()
    }
  })

  test('hold the name, keep 站长, give the PIN twice: the admin is in the console', async () => {
    await browser.context.clearCookies()
    const page = await openKiosk(browser.context, server.url, { viewport: VIEWPORTS.fullHD })
    await holdName(page)
    // One way on: there is no admin PIN yet to close the kiosk with.
    assert.equal((await page.locator('[data-test=admin-console]').innerText()).trim(), '设置第一位管理员')
    assert.equal(await page.locator('[data-test=admin-exit-choose]').count(), 0)
    await screenshot(page, 'first-admin-door')
    await page.click('[data-test=admin-console]')

    const screen = page.locator('[data-test=first-admin]')
    await screen.waitFor()
    await page.locator('[data-test=kiosk-staff-bar]').waitFor()
    assert.equal(await page.locator('[data-test=login]').count(), 0, 'a login with nobody to log in')
    assert.equal(await page.locator('h1', { hasText: '设置第一位管理员' }).count(), 1)
    const lead = await page.locator('[data-test=first-admin-lead]').innerText()
    assert.match(lead, /还没有管理员/)
    assert.match(lead, /叫号工作台和站务设置/)
    assert.match(lead, /关闭全屏的自助机/)
    assert.equal(await page.locator('[data-test=first-admin-name]').inputValue(), '站长')
    for (const [name, viewport] of ORIENTATIONS) {
      await page.setViewportSize(viewport)
      await assertFits(page, `first admin, name, ${name}`)
      await screenshot(page, `first-admin-name-${name}`)
    }

    await page.setViewportSize(VIEWPORTS.fullHD)
    await page.click('[data-test=first-admin-next]')
    await page.locator('[data-test=pin-twice][data-step=first]').waitFor()
    assert.match(await page.locator('[data-test=pin-prompt]').innerText(), /请为“站长”设置 PIN：6 到 12 位数字/)
    for (const [name, viewport] of ORIENTATIONS) {
      await page.setViewportSize(viewport)
      await assertFits(page, `first admin, PIN, ${name}`)
      await screenshot(page, `first-admin-pin-${name}`)
    }
    await page.setViewportSize(VIEWPORTS.fullHD)

    // Two different PINs: both are entered again, and nothing is stored.
    await pinTwice(page, ADMIN.pin, '975311')
    await page.locator('[data-test=pin-error]').getByText('两次输入的 PIN 不一致').waitFor()
    assert.equal(await page.locator('[data-test=pin-twice]').getAttribute('data-step'), 'first')
    // A PIN the station finds too easy comes back with its words, nothing stored.
    await pinTwice(page, '123456')
    await page.locator('[data-test=pin-error]').getByText('太容易被猜到').waitFor()
    await screenshot(page, 'first-admin-pin-weak')
    assert.equal((await setupState(server.url)).first_admin, true, 'a refused PIN made an account')

    await pinTwice(page, ADMIN.pin)
    const done = page.locator('[data-test=first-admin-done]')
    await done.waitFor()
    assert.match(await done.innerText(), /已设置管理员“站长”/)
    await page.locator('[data-test=pick-counter-1]').waitFor()
    await page.locator('[data-test=to-settings]').waitFor()
    await page.locator('[data-test=kiosk-staff-bar]').waitFor()
    await screenshot(page, 'first-admin-console')

    assert.equal((await setupState(server.url)).first_admin, false)
    assert.equal(await login(server.url, ADMIN), 200, 'the new admin cannot log in')
    // A second set-up is refused by the station, whatever a page may still show.
    const again = await page.evaluate(async () => {
      const r = await fetch('/api/v1/setup/admin', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: '另一个人', pin: '864213' }),
      })
      return r.status
    })
    assert.equal(again, 409)

    // Back at the kiosk: no hint, and the staff entry is the usual one.
    await page.click('[data-test=back-to-kiosk]')
    await page.waitForURL(server.url + '/')
    await page.locator('[data-test=station-name]').waitFor()
    await page.waitForTimeout(300)
    assert.equal(await page.locator('[data-test=setup-hint]').count(), 0, 'the hint stays after the set-up')
    await holdName(page)
    assert.equal((await page.locator('[data-test=admin-console]').innerText()).trim(), '进入叫号工作台')
    await page.locator('[data-test=admin-exit-choose]').waitFor()
    await page.click('[data-test=admin-console]')
    await page.locator('[data-test=login]').waitFor()
    assert.deepEqual((await page.locator('[data-test=login-chip]').allTextContents()).map((s) => s.trim()), ['站长'])
    assertNoPageErrors(page)
    await page.close()
  })
})

describe('a station just installed, in English', () => {
  let server

  before(async () => {
    server = await startServer([], { demo: false })
  })

  after(async () => {
    await server?.stop()
  })

  test('the hint and the first-admin screens are all English', async () => {
    const page = await openKiosk(browser.context, server.url, { viewport: VIEWPORTS.fullHD })
    await page.click('[data-test=lang-en]')
    const hint = page.locator('[data-test=setup-hint]')
    await hint.waitFor()
    assert.match(await hint.innerText(), /^First use: hold the station name for 3 seconds/)
    await hintFits(page, 'English')
    await screenshot(page, 'first-admin-home-en')
    await holdName(page)
    assert.equal((await page.locator('[data-test=admin-console]').innerText()).trim(), 'Set up the first admin')
    await page.click('[data-test=admin-console]')
    const screen = page.locator('[data-test=first-admin]')
    await screen.waitFor()
    const text = await screen.innerText()
    assert.doesNotMatch(text, /(setup|settings)\.[a-zA-Z]/, 'a translation key shows as text')
    assert.match(text, /has no admin yet/)
    for (const cjk of ['设置', '管理员', '姓名', '下一步']) assert.ok(!text.includes(cjk), `Chinese left in English: ${cjk}`)
    await screenshot(page, 'first-admin-name-en')
    await page.click('[data-test=first-admin-next]')
    await page.locator('[data-test=pin-twice]').waitFor()
    const pinText = await screen.innerText()
    assert.ok(!/[设置管理员下一步]/.test(pinText.replace('站长', '')), `Chinese left in English: ${pinText}`)
    await page.setViewportSize(VIEWPORTS.portrait)
    await assertFits(page, 'first admin, PIN, English portrait')
    await screenshot(page, 'first-admin-pin-en-portrait')
    assertNoPageErrors(page)
    await page.close()
  })
})
