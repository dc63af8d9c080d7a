// The staff console as two staff members at two counters use it, with the lobby board
// open beside them: PIN login (wrong PIN, lockout), call next, recall, no-show, finish,
// and two counters calling at the same moment.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  OFFICE_VIEWPORTS,
  VIEWPORTS,
  addStaff,
  assertNoPageErrors,
  assertReadable,
  issueTickets,
  launchBrowser,
  openKiosk,
  screenshot,
  startServer,
} from './helpers.mjs'

const ADMIN = { name: '测试', pin: '246810' }
const CLERK = { name: '王芳', pin: '802468' }
const LOCKME = { name: '李强', pin: '135791' }
const NUMBER = /^[A-J]\d{3}$/

let server
let browser
let browser2

before(async () => {
  server = await startServer([], {
    setup: async (data) => {
      await addStaff(data, ADMIN.name, 'admin', ADMIN.pin)
      await addStaff(data, CLERK.name, 'staff', CLERK.pin)
      await addStaff(data, LOCKME.name, 'staff', LOCKME.pin)
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

async function typePin(page, pin) {
  await page.click('[data-test=key-clear]')
  for (const d of pin) await page.click(`[data-test=key-${d}]`)
}

/** login opens /staff, logs in with the keypad and picks the counter. */
async function login(context, who, counter, viewport = VIEWPORTS.kiosk) {
  await context.clearCookies()
  const page = await openKiosk(context, server.url, { path: '/staff', viewport })
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await typePin(page, who.pin)
  await page.click('[data-test=login-submit]')
  await page.locator(`[data-test=pick-counter-${counter}], [data-test=desk]`).first().waitFor()
  if (await page.locator('[data-test=desk]').count()) {
    await page.click('[data-test=change-counter]')
  }
  await page.click(`[data-test=pick-counter-${counter}]`)
  await page.locator('[data-test=desk]').waitFor()
  await page.locator('[data-test=queue] [data-test^=queue-]').first().waitFor()
  return page
}

async function currentNumber(page) {
  await page.locator('[data-test=current-number]').waitFor()
  return (await page.locator('[data-test=current-number]').textContent()).trim()
}

describe('staff console', () => {
  test('a wrong PIN shows the station\'s message; the right one opens the counter', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff' })
    await page.locator('[data-test=login]').waitFor()
    await screenshot(page, 'staff-login')

    await page.fill('[data-test=login-name]', ADMIN.name)
    await typePin(page, '999000')
    await page.click('[data-test=login-submit]')
    const err = page.locator('[data-test=login-error]')
    await err.waitFor()
    assert.match(await err.textContent(), /姓名或 PIN 不正确/)
    // The PIN is cleared for the next try; the name stays.
    assert.equal(await page.inputValue('[data-test=login-pin]'), '')
    assert.equal(await page.inputValue('[data-test=login-name]'), ADMIN.name)
    await screenshot(page, 'staff-login-wrong-pin')

    // A keyboard works as well as the keypad.
    await page.fill('[data-test=login-pin]', ADMIN.pin)
    await page.press('[data-test=login-pin]', 'Enter')
    await page.locator('[data-test=pick-counter-1]').waitFor()
    await screenshot(page, 'staff-counters')
    await page.click('[data-test=pick-counter-1]')
    await page.locator('[data-test=desk]').waitFor()
    assert.equal((await page.locator('[data-test=desk-counter]').textContent()).trim(), '1号窗口')

    // The counter is remembered, and the cookie keeps the session over a reload.
    await page.reload()
    await page.locator('[data-test=desk]').waitFor()
    assert.equal((await page.locator('[data-test=desk-counter]').textContent()).trim(), '1号窗口')

    await page.click('[data-test=logout]')
    await page.locator('[data-test=login]').waitFor()
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status)
    assert.equal(me, 401)
    assertNoPageErrors(page)
    await page.close()
  })

  test('five wrong PINs lock the account, and the screen says so', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff' })
    await page.fill('[data-test=login-name]', LOCKME.name)
    for (let i = 0; i < 5; i++) {
      await typePin(page, '999000')
      await page.click('[data-test=login-submit]')
      await page.locator('[data-test=login-error]').waitFor()
    }
    await typePin(page, LOCKME.pin)
    await page.click('[data-test=login-submit]')
    await page.getByText('账户已锁定').waitFor()
    assert.match(await page.locator('[data-test=login-error]').textContent(), /锁定.*分钟后再试/)
    await screenshot(page, 'staff-login-locked')
    assertNoPageErrors(page)
    await page.close()
  })

  test('call next, the board shows it within a second; recall, no-show, start and finish', async () => {
    await issueTickets(server.url, 'B', 3)
    const page = await login(browser.context, ADMIN, 1, VIEWPORTS.fullHD)
    const board = await openKiosk(browser.context, server.url, { path: '/board', viewport: VIEWPORTS.fullHD })
    await board.locator('[data-test=counter-1]').waitFor()
    // The staff page is the one in front; the board, behind it, is checked by polling
    // (a background page gets no animation frames).
    await page.bringToFront()
    const onBoard = (f, arg) => board.waitForFunction(f, arg, { timeout: 1000, polling: 50 })

    const issuedBefore = Number(await page.locator('[data-test=stat-issued]').textContent())
    assert.ok(issuedBefore >= 3)

    // Call next: the page shows the ticket, the board shows it within 1 s.
    const t0 = Date.now()
    await page.click('[data-test=act-call-next]')
    const first = await currentNumber(page)
    assert.match(first, NUMBER)
    await onBoard(
      (n) => document.querySelector('[data-test=counter-1] [data-test=call-number]')?.textContent.trim() === n,
      first,
    )
    const shownAfter = Date.now() - t0
    assert.ok(shownAfter < 2000, `board showed the call after ${shownAfter} ms`)
    assert.equal(await page.locator('[data-test=current-status]').textContent(), '正在叫号')
    await screenshot(page, 'staff-desk-called')
    await board.bringToFront()
    await screenshot(board, 'board-1080p-called')
    await page.bringToFront()

    // The call is no longer in the waiting list.
    assert.equal(await page.locator(`[data-test=waiting-${first}]`).count(), 0)

    // Recall: announced again, the board's sentence stays on the number.
    await page.click('[data-test=act-recall]')
    await page.waitForFunction(() => !document.querySelector('[data-test=act-recall]').disabled)
    await onBoard((n) => document.querySelector('[data-test=latest]')?.textContent.includes(n), first)

    // No-show: the counter is free, the ticket is among today's no-shows.
    await page.click('[data-test=act-no-show]')
    await page.locator('[data-test=current-none]').waitFor()
    await page.locator(`[data-test=again-${first}]`).waitFor()
    await onBoard(
      () => document.querySelector('[data-test=counter-1] [data-test=call-number]')?.textContent.trim() === '—',
    )

    // Next one: start and finish with an outcome note.
    await page.click('[data-test=act-call-next]')
    const second = await currentNumber(page)
    assert.notEqual(second, first)
    await page.click('[data-test=act-start]')
    await page.waitForFunction(() => document.querySelector('[data-test=current-status]')?.textContent === '办理中')
    await onBoard(() => document.querySelector('[data-test=counter-1]')?.textContent.includes('办理中'))
    await page.click('[data-test=act-finish]')
    await page.locator('[data-test=finish-dialog]').waitFor()
    await page.fill('[data-test=finish-outcome]', '已受理，10 个工作日后领取')
    await screenshot(page, 'staff-desk-finish')
    await page.click('[data-test=finish-confirm]')
    await page.locator('[data-test=current-none]').waitFor()
    await page.waitForFunction(() => Number(document.querySelector('[data-test=stat-served]')?.textContent) >= 1)
    assert.equal(Number(await page.locator('[data-test=stat-no-shows]').textContent()), 1)
    await screenshot(page, 'staff-desk-1080p')

    // Call a particular ticket by tapping it, then transfer it to another service.
    const chip = page.locator('[data-test=queue] [data-test^=waiting-]').last()
    const picked = (await chip.locator('.chip__number').textContent()).trim()
    await chip.click()
    assert.equal(await currentNumber(page), picked)

    // On a township office PC, with a ticket in hand (the fullest desk): nothing cut
    // off, labels readable, today's figures on screen without scrolling.
    for (const [size, viewport] of Object.entries(OFFICE_VIEWPORTS)) {
      await page.setViewportSize(viewport)
      await screenshot(page, `staff-desk-${size}`)
      await assertReadable(page, `desk at ${size}`)
      const stats = await page.locator('[data-test^=stat-]').evaluateAll((els) =>
        els.map((e) => ({ test: e.dataset.test, bottom: e.getBoundingClientRect().bottom, h: innerHeight })),
      )
      assert.ok(stats.length >= 4, 'the desk shows today\'s figures')
      for (const st of stats) assert.ok(st.bottom <= st.h, `${size}: ${st.test} is below the screen's edge`)
    }
    await page.setViewportSize(VIEWPORTS.fullHD)
    await page.click('[data-test=act-transfer]')
    await page.locator('[data-test=transfer-dialog]').waitFor()
    const target = picked[0] === 'D' ? 'E' : 'D'
    await page.click(`[data-test=transfer-${target}]`)
    await page.locator('[data-test=current-none]').waitFor()
    await page.locator(`[data-test=queue-${target}] [data-test=waiting-${picked}]`).waitFor()

    // Hold and resume.
    await page.click('[data-test=act-call-next]')
    const held = await currentNumber(page)
    await page.click('[data-test=act-hold]')
    await page.locator(`[data-test=resume-${held}]`).waitFor()
    await page.click(`[data-test=resume-${held}]`)
    assert.equal(await currentNumber(page), held)
    await page.click('[data-test=act-finish]')
    await page.click('[data-test=finish-confirm]')
    await page.locator('[data-test=current-none]').waitFor()

    // The report links are there and download with the session, in the console's
    // language whatever the browser's is.
    const fetchCSV = () =>
      page.locator('[data-test=export-csv]').getAttribute('href').then((href) =>
        page.evaluate(async (href) => {
          const r = await fetch(href, { headers: { 'Accept-Language': 'zh-CN' } })
          return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }
        }, href),
      )
    const csv = await fetchCSV()
    assert.equal(csv.status, 200)
    assert.match(csv.type, /csv/)
    assert.ok(csv.text.replace(/^\uFEFF/, '').startsWith('类别,'), csv.text.slice(0, 20))
    await page.click('[data-test=staff-lang-en]')
    const en = await fetchCSV()
    assert.ok(en.text.replace(/^\uFEFF/, '').startsWith('Group,'), en.text.slice(0, 20))
    await page.click('[data-test=staff-lang-zh-CN]')
    // Other days are one tap away.
    await page.click('[data-test=stats-to-report]')
    await page.waitForURL(/\/staff\/report$/)
    await page.locator('[data-test=station]').waitFor()

    assertNoPageErrors(page)
    assertNoPageErrors(board)
    await board.close()
    await page.close()
  })

  test('two counters calling at the same moment never get the same ticket', async () => {
    await issueTickets(server.url, 'C', 8)
    const a = await login(browser.context, ADMIN, 1)
    const b = await login(browser2.context, CLERK, 2)
    const seen = new Set()
    for (let round = 0; round < 4; round++) {
      await Promise.all([a.click('[data-test=act-call-next]'), b.click('[data-test=act-call-next]')])
      const [na, nb] = await Promise.all([currentNumber(a), currentNumber(b)])
      assert.notEqual(na, nb, `round ${round}: both counters got ${na}`)
      for (const n of [na, nb]) {
        assert.ok(!seen.has(n), `${n} was called twice`)
        seen.add(n)
      }
      // Each page sees the other's ticket among the counters' tickets.
      await a.locator('[data-test=others]').getByText(nb).waitFor()
      if (round === 0) await screenshot(b, 'staff-desk-counter2')
      for (const p of [a, b]) {
        await p.click('[data-test=act-finish]')
        await p.click('[data-test=finish-confirm]')
        await p.locator('[data-test=current-none]').waitFor()
      }
    }
    assertNoPageErrors(a)
    assertNoPageErrors(b)
    await a.close()
    await b.close()
  })

  test('in English, errors come from the server in English', async () => {
    await browser.context.clearCookies()
    const page = await openKiosk(browser.context, server.url, { path: '/staff' })
    await page.locator('[data-test=login]').waitFor()
    await page.click('[data-test=staff-lang-en]')
    await page.getByText('Staff login').waitFor()
    await page.fill('[data-test=login-name]', CLERK.name)
    await typePin(page, '999000')
    await page.click('[data-test=login-submit]')
    assert.match(await page.locator('[data-test=login-error]').textContent(), /Wrong name or PIN/)

    // The counter screen in English.
    await page.fill('[data-test=login-pin]', CLERK.pin)
    await page.press('[data-test=login-pin]', 'Enter')
    await page.locator('[data-test=pick-counter-2], [data-test=desk]').first().waitFor()
    if (await page.locator('[data-test=pick-counter-2]').count()) await page.click('[data-test=pick-counter-2]')
    await page.locator('[data-test=desk]').waitFor()
    await page.locator('[data-test=act-call-next]', { hasText: 'Call next' }).waitFor()
    await page.getByText('Waiting', { exact: true }).waitFor()
    await screenshot(page, 'staff-desk-en')
    await page.click('[data-test=staff-lang-zh-CN]')
    assertNoPageErrors(page)
    await page.close()
  })

  test('a session ended elsewhere brings back the login, with a word why', async () => {
    const page = await login(browser.context, CLERK, 2)
    // Logged out in another tab (or expired): the next action finds no session.
    await page.evaluate(() => fetch('/api/v1/logout', { method: 'POST' }))
    await page.click('[data-test=act-call-next]')
    await page.locator('[data-test=login]').waitFor()
    assert.match(await page.locator('[data-test=login-notice]').textContent(), /重新登录/)
    assertNoPageErrors(page)
    await page.close()
  })
})
