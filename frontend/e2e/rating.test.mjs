// 好差评 as a person and the station's admin meet it: the counter's screen (/rate)
// asking for the rating after staff finish a ticket there, a bad rating with its
// reasons followed to closure in 差评回访, and 评价服务 at the kiosk by the number on
// the ticket or its QR code through a scanner. Every new screen is photographed
// upright (1080×1920) and lying (1920×1080), in normal and large text (大字).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  VIEWPORTS,
  addStaff,
  assertFits,
  assertNoPageErrors,
  issueTickets,
  launchBrowser,
  openKiosk,
  staffApi,
  startServer,
} from './helpers.mjs'
import { assertNoCutText } from './overflow.mjs'
import { kioskShot } from './plainwords.mjs'

const ADMIN = { name: '测试', pin: '246810' }
const CLERK = { name: '王芳', pin: '802468' }
const SHAPES = [
  ['portrait', VIEWPORTS.portrait],
  ['landscape', VIEWPORTS.fullHD],
]

let server
let browser
let clerk
let admin

before(async () => {
  server = await startServerWithStaff()
  browser = await launchBrowser()
  clerk = await staffApi(server.url, CLERK.name, CLERK.pin)
  admin = await staffApi(server.url, ADMIN.name, ADMIN.pin)
  await issueTickets(server.url, 'B', 12)
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function startServerWithStaff() {
  return startServer([], {
    setup: async (data) => {
      await addStaff(data, ADMIN.name, 'admin', ADMIN.pin)
      await addStaff(data, CLERK.name, 'staff', CLERK.pin)
    },
  })
}

/** serveOne has 王芳 call the next ticket to counter 1, serve and finish it. */
async function serveOne() {
  const called = await clerk.post('/api/v1/counters/1/call-next')
  assert.equal(called.status, 200, JSON.stringify(called.body))
  const id = called.body.id
  assert.equal((await clerk.post(`/api/v1/tickets/${id}/start`)).status, 200)
  assert.equal((await clerk.post(`/api/v1/tickets/${id}/finish`)).status, 200)
  return called.body
}

/** shot photographs a rating screen and checks nothing on it is cut or off the screen. */
async function shot(page, name) {
  await kioskShot(page, name)
  await assertNoCutText(page, name)
  await assertFits(page, name)
}

async function setLarge(page, on) {
  const now = (await page.locator('[data-test=elderly-toggle]').getAttribute('aria-checked')) === 'true'
  if (now !== on) await page.click('[data-test=elderly-toggle]')
}

describe('ratings', () => {
  test('the counter screen asks after a finish; a bad rating is followed to closure', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/rate', viewport: VIEWPORTS.portrait })
    // Staff pick the counter once; the screen remembers it.
    await page.click('[data-test=pick-1]')
    await page.locator('[data-test=rate-waiting]').waitFor()
    assert.match(page.url(), /counter=1/)

    let bad
    for (const [shape, viewport] of SHAPES) {
      await page.setViewportSize(viewport)
      for (const large of [false, true]) {
        const tag = `${shape}${large ? '-large' : ''}`
        await setLarge(page, large)
        await page.locator('[data-test=rate-waiting]').waitFor()
        await shot(page, `rate-waiting-${tag}`)

        // Staff finish a ticket at counter 1: the screen asks for its rating by itself.
        const tk = await serveOne()
        await page.locator('[data-test=rate-levels]').waitFor()
        assert.match(await page.locator('[data-test=rate-about]').innerText(), new RegExp(tk.number))
        await setLarge(page, large) // a new ticket's screen keeps the size chosen
        await shot(page, `rate-levels-${tag}`)

        await page.click('[data-test=level-2]')
        await page.locator('[data-test=rate-reasons]').waitFor()
        await shot(page, `rate-reasons-${tag}`)
        if (!bad) {
          await page.click('[data-test=reason-wait_long]')
          await page.click('[data-test=reason-unclear]')
          assert.equal(await page.locator('[data-test=reason-unclear]').getAttribute('aria-pressed'), 'true')
          await page.click('[data-test=rate-submit]')
          await page.locator('[data-test=rate-thanks]').waitFor()
          await setLarge(page, large)
          await shot(page, `rate-thanks-bad-${tag}`)
          bad = tk
          // Back to waiting by itself after a few seconds, or at once with 好的.
          await page.click('[data-test=rate-ok]')
          await page.locator('[data-test=rate-waiting]').waitFor()
        } else {
          // 上一步 takes the bad level back; 满意 is sent at once.
          await page.click('[data-test=rate-back]')
          await page.click('[data-test=level-4]')
          await page.locator('[data-test=rate-thanks]').waitFor()
          await setLarge(page, large)
          await shot(page, `rate-thanks-${tag}`)
          await page.click('[data-test=rate-ok]')
          await page.locator('[data-test=rate-waiting]').waitFor()
        }
      }
    }

    // A person who walks away mid-rating: the screen warns, then clears itself, the
    // ticket counted as skipped so the next person is not asked about it.
    const idle = await openKiosk(browser.context, server.url, { path: '/rate?counter=1&idle=1,1', viewport: VIEWPORTS.portrait })
    const left = await serveOne()
    await idle.locator('[data-test=rate-levels]').waitFor()
    await idle.locator('[data-test=rate-waiting]').waitFor({ timeout: 5000 })
    const pending = await (await fetch(`${server.url}/api/v1/counters/1/rating`)).json()
    assert.equal(pending.ticket, null, `${left.number} is still asked for after the idle reset`)
    await idle.close()
    await page.locator('[data-test=rate-waiting]').waitFor()

    // One rating per ticket: the bad one again is refused with the station's words.
    const again = await fetch(`${server.url}/api/v1/ratings/find`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ number: bad.number }),
    })
    assert.equal(again.status, 409)

    // The admin follows the bad rating up in the console.
    const cases = await admin.get('/api/v1/rating-cases')
    assert.equal(cases.status, 200)
    assert.equal(cases.body.length, 1, 'one case for the one bad rating')
    assert.equal(cases.body[0].ticket_id, bad.id)
    assert.equal(cases.body[0].status, 'open')

    const con = await openKiosk(browser.context, server.url, { path: '/staff/ratings', viewport: { width: 1366, height: 768 } })
    await con.fill('[data-test=login-name]', ADMIN.name)
    for (const d of ADMIN.pin) await con.click(`[data-test=key-${d}]`)
    await con.click('[data-test=login-submit]')
    const card = con.locator(`[data-test=case-${bad.number}]`)
    await card.waitFor()
    assert.match(await card.locator('[data-test=case-status]').innerText(), /待回访/)
    assert.match(await card.innerText(), /等候时间长、没讲清楚/)
    await kioskShot(con, 'rating-cases-open')

    // A step out of order is refused with words saying what comes first.
    await card.locator('[data-test=case-visit]').click()
    await card.locator('[data-test=case-note]').fill('打了两次电话')
    await card.locator('[data-test=case-save]').click()
    assert.match(await card.locator('[data-test=case-error]').innerText(), /是否联系上/)
    await card.locator('[data-test=reached-yes]').check()
    await card.locator('[data-test=case-note]').fill('联系上本人：等了四十分钟，没人说明材料要求')
    await card.locator('[data-test=case-save]').click()
    await card.locator('[data-test=case-rectify]').waitFor()
    assert.match(await card.locator('[data-test=case-status]').innerText(), /已回访/)
    await card.locator('[data-test=case-rectify]').click()
    await card.locator('[data-test=case-note]').fill('窗口张贴材料清单，高峰时开第二个窗口')
    await card.locator('[data-test=case-save]').click()
    await card.locator('[data-test=case-close]').click()
    await card.locator('[data-test=case-save]').click()
    // Closed: it leaves the open list, and shows under 全部 with its history.
    await con.locator('[data-test=cases-empty]').waitFor()
    await con.click('[data-test=filter-all]')
    assert.match(await card.locator('[data-test=case-status]').innerText(), /已办结/)
    assert.match(await card.innerText(), new RegExp(ADMIN.name))
    await kioskShot(con, 'rating-cases-closed')

    // The day's figures count the ratings per staff member.
    const stats = await admin.get('/api/v1/stats')
    assert.equal(stats.body.station.rated, 4)
    assert.equal(stats.body.station.unsatisfied, 1)
    assert.equal(stats.body.staff.find((r) => r.key === CLERK.name)?.rated, 4)
    // The report screen shows them, with 王芳's own row beside the counters.
    await con.goto(server.url + '/staff/report')
    assert.equal((await con.locator('[data-test=satisfaction-pct]').innerText()).trim(), '75%')
    const row = con.locator(`[data-test="staff-${CLERK.name}"]`)
    assert.equal((await row.locator('[data-test=rated]').innerText()).trim(), '4')
    assert.equal((await row.locator('[data-test=pct]').innerText()).trim(), '75%')
    await kioskShot(con, 'report-satisfaction')
    assertNoPageErrors(page)
    assertNoPageErrors(con)
  })

  test('评价服务 at the kiosk: by the number on the keypad, or the QR through a scanner', async () => {
    const page = await openKiosk(browser.context, server.url, { viewport: VIEWPORTS.portrait })
    const waiting = (await issueTickets(server.url, 'B', 1))[0]

    for (const [shape, viewport] of SHAPES) {
      await page.setViewportSize(viewport)
      for (const large of [false, true]) {
        const tag = `${shape}${large ? '-large' : ''}`
        await page.goto(server.url + '/')
        await page.locator('[data-test=choice-rate]').waitFor()
        if (large) await page.click('[data-test=elderly-toggle]')
        await shot(page, `kiosk-home-${tag}`) // the modest 评价服务 under the three choices
        await page.click('[data-test=choice-rate]')
        await page.locator('[data-test=rate-find]').waitFor()
        const tk = await serveOne()
        await page.click(`[data-test=letter-${tk.number[0]}]`)
        for (const d of tk.number.slice(1)) await page.click(`[data-test=keypad] [data-key="${d}"]`)
        assert.equal((await page.locator('[data-test=rate-number]').innerText()).trim(), tk.number)
        await shot(page, `kiosk-rate-find-${tag}`)
        await page.click('[data-test=rate-next]')
        await page.locator('[data-test=rate-levels]').waitFor()
        await shot(page, `kiosk-rate-levels-${tag}`)
        await page.click('[data-test=level-1]')
        await page.locator('[data-test=rate-reasons]').waitFor()
        await shot(page, `kiosk-rate-reasons-${tag}`)
        await page.click('[data-test=rate-back]')
        await page.click('[data-test=level-5]')
        await page.locator('[data-test=rate-thanks]').waitFor()
        await shot(page, `kiosk-rate-thanks-${tag}`)
      }
    }

    // A ticket still waiting cannot be rated: the kiosk says why, in words.
    await page.goto(server.url + '/kiosk/rate')
    await page.locator('[data-test=rate-find]').waitFor()
    await page.click(`[data-test=letter-${waiting[0]}]`)
    for (const d of waiting.slice(1)) await page.click(`[data-test=keypad] [data-key="${d}"]`)
    await page.click('[data-test=rate-next]')
    assert.match(await page.locator('[data-test=rate-error]').innerText(), /还没有办完/)
    await shot(page, 'kiosk-rate-not-done-landscape')

    // A USB scanner types the ticket's QR code and Enter: the rating opens.
    const tk = await serveOne()
    const qr = (await (await fetch(`${server.url}/api/v1/tickets/${tk.id}`)).json()).qr_payload
    await page.click('[data-test=rate-clear]')
    await page.keyboard.type(qr)
    await page.keyboard.press('Enter')
    await page.locator('[data-test=rate-levels]').waitFor()
    assert.match(await page.locator('[data-test=rate-about]').innerText(), new RegExp(tk.number))
    // Skipping is allowed: nothing is recorded as a rating.
    await page.click('[data-test=rate-skip]')
    await page.locator('[data-test=rate-thanks]').waitFor()
    const stats = await admin.get('/api/v1/stats')
    assert.equal(stats.body.station.rated, 8)
    assertNoPageErrors(page)
  })
})
