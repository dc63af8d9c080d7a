// 预约 as staff and a booked person meet it: staff book in the console (the code shown
// large to read out); at the kiosk 我有预约 checks the person in by ID number or code —
// on time (a ticket called before earlier walk-ins), too early (no ticket, told when
// to come), late (a normal ticket, told why), no booking (the way to a normal
// number), checked in before (the same ticket again); the console's list follows.
//
// The station's clock cannot be moved, so its time zone is: config.json picks the
// Etc/GMT zone that puts station time near midday (no slot crosses midnight), and
// "late" is a restart on the same data one zone further east, an hour later there.
// Every kiosk screen is photographed lying (1920×1080) and upright (1080×1920), in
// normal and large text (大字).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  VIEWPORTS,
  addStaff,
  assertFits,
  assertNoPageErrors,
  issueTickets,
  launchBrowser,
  openKiosk,
  screenshot,
  staffApi,
  startServer,
  tapKeys,
} from './helpers.mjs'
import { assertNoCutText, lyingMongolian } from './overflow.mjs'
import { kioskShot } from './plainwords.mjs'

const ADMIN = { name: '测试', pin: '246810' }
const CLERK = { name: '王芳', pin: '802468' }
const CONSOLE = { width: 1366, height: 768 }
const VARIANTS = [
  ['landscape', VIEWPORTS.fullHD, false],
  ['landscape-large', VIEWPORTS.fullHD, true],
  ['portrait', VIEWPORTS.portrait, false],
  ['portrait-large', VIEWPORTS.portrait, true],
]

// Hours east of UTC that make the station's clock read about 12 now.
const EAST = 12 - new Date().getUTCHours()

/** zone names the Etc/GMT zone `east` hours east of UTC (its sign is inverted). */
function zone(east) {
  return east >= 0 ? `Etc/GMT-${east}` : `Etc/GMT+${-east}`
}

/** stationClock returns the date and HH:MM at the station `east` hours east of UTC, plus minutes. */
function stationClock(east, plusMin = 0) {
  const d = new Date(Date.now() + east * 3_600_000 + plusMin * 60_000)
  return { date: d.toISOString().slice(0, 10), time: d.toISOString().slice(11, 16) }
}

/** idNumber makes a valid ID number from a valid one's first 14 characters and a sequence. */
function idNumber(base, seq) {
  const body = base.slice(0, 14) + String(seq).padStart(3, '0')
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

/** minus15 is HH:MM a quarter of an hour earlier (the default check-in window opens then). */
function minus15(hhmm) {
  const m = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) - 15
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

let server
let browser
let clerk
let seq = 100
const booked = {}

async function start(east, data) {
  return startServer([], {
    data,
    keep: !data,
    setup: async (dir) => {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ timezone: zone(east) }))
      if (!data) {
        await addStaff(dir, ADMIN.name, 'admin', ADMIN.pin)
        await addStaff(dir, CLERK.name, 'staff', CLERK.pin)
      }
    },
  })
}

before(async () => {
  server = await start(EAST)
  browser = await launchBrowser()
  clerk = await staffApi(server.url, CLERK.name, CLERK.pin)
})

after(async () => {
  await browser?.close()
  await server?.stop()
  if (server) await rm(server.data, { recursive: true, force: true })
})

/** bookVia books service B `plusMin` minutes from now through the staff API. */
async function bookVia(plusMin, name) {
  const { date, time } = stationClock(EAST, plusMin)
  const id = idNumber(server.people.ready.id, seq++)
  const r = await clerk.post('/api/v1/appointments', { service: 'B', date, time, name, id_number: id })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return { ...r.body, idNumber: id }
}

/** shot photographs a kiosk screen and checks nothing on it is cut or off the screen. */
async function shot(page, name) {
  await kioskShot(page, name)
  await assertNoCutText(page, name)
  await assertFits(page, name)
}

/** openCheckIn opens 我有预约 from home, in large text if asked. */
async function openCheckIn(page, large) {
  await page.locator('[data-test=choice-appointment]').waitFor()
  if (large && (await page.locator('[data-test=elderly-toggle]').getAttribute('aria-checked')) !== 'true') {
    await page.click('[data-test=elderly-toggle]')
  }
  await page.click('[data-test=choice-appointment]')
  await page.locator('[data-test=appointment-id]').waitFor()
}

/** byCode checks in with a code from the ID step. */
async function byCode(page, code, shotName) {
  await page.click('[data-test=use-code]')
  await page.locator('[data-test=appointment-code]').waitFor()
  await tapKeys(page, code)
  await page.locator('[data-test=code-ok]').waitFor()
  if (shotName) await shot(page, shotName)
  await page.click('[data-test=submit]')
}

async function home(page) {
  await page.click('[data-test=home]')
  await page.locator('[data-test=choice-appointment]').waitFor()
}

/** consolePage opens the console's bookings, logged in as the admin. */
async function consolePage(viewport = CONSOLE) {
  const con = await openKiosk(browser.context, server.url, { path: '/staff/appointments', viewport })
  await con.locator('[data-test=login], [data-test=appointments] .ap-main').first().waitFor()
  if (await con.locator('[data-test=login]').isVisible()) {
    await con.fill('[data-test=login-name]', ADMIN.name)
    for (const d of ADMIN.pin) await con.click(`[data-test=key-${d}]`)
    await con.click('[data-test=login-submit]')
  }
  await con.locator('[data-test=counts]').waitFor()
  return con
}

function row(con, a) {
  return con.locator(`[data-test=appointment-${a.code}]`)
}

describe('appointments', () => {
  test('staff book in the console and read the code out', async () => {
    const con = await consolePage()
    // The demo station has booked three people for today's coming half-hours.
    await con.locator('[data-test=count-booked]').filter({ hasText: /3/ }).waitFor()
    await con.click('[data-test=new-appointment]')
    await con.locator('[data-test=appointment-form]').waitFor()
    await con.selectOption('[data-test=form-service]', 'B')
    await con.selectOption('[data-test=form-time]', '17:45')
    await con.fill('[data-test=form-name]', '张建国')
    await con.fill('[data-test=form-phone]', '13800138000')
    await screenshot(con, 'appointment-console-form')
    await con.click('[data-test=form-submit]')
    const code = con.locator('[data-test=booked-code]')
    await code.waitFor()
    booked.console = { code: (await code.innerText()).replace(/\s/g, '') }
    assert.match(booked.console.code, /^\d{6}$/)
    await screenshot(con, 'appointment-console-booked')
    await con.click('[data-test=booked-ok]')
    const r = row(con, booked.console)
    await r.waitFor()
    assert.equal(await r.getAttribute('data-status'), 'booked')
    assert.match(await r.innerText(), /17:45[\s\S]*张\*[\s\S]*138\*{4}8000/)
    assertNoPageErrors(con)
    await con.close()
  })

  test('at the kiosk: on time gets a ticket called first, too early is told when, none found offers a number', async () => {
    const walkIn = (await issueTickets(server.url, 'B', 1))[0]
    booked.onTime = []
    for (let i = 0; i < VARIANTS.length; i++) booked.onTime.push(await bookVia(5, '李秀英'))
    booked.early = await bookVia(120, '赵卫东')
    const taken = new Set([booked.console.code, booked.early.code, ...booked.onTime.map((a) => a.code)])
    const noCode = ['000000', '999999', '123450'].find((c) => !taken.has(c))

    for (const [i, [tag, viewport, large]] of VARIANTS.entries()) {
      const a = booked.onTime[i]
      const page = await openKiosk(browser.context, server.url, { viewport })
      await openCheckIn(page, large)
      await tapKeys(page, a.idNumber)
      await page.locator('[data-test=id-ok]').waitFor()
      await shot(page, `appointment-id-${tag}`)
      if (i === 0) {
        // By ID number; the code comes next, when the same person checks in again.
        await page.click('[data-test=submit]')
      } else {
        await byCode(page, a.code, `appointment-code-${tag}`)
      }
      await page.locator('[data-test=checked-in]').waitFor()
      assert.match(await page.locator('[data-test=checked-in]').innerText(), new RegExp(`已为您签到.*${a.time}`))
      assert.match(await page.locator('[data-test=slot-badge]').innerText(), new RegExp(a.time))
      const number = await page.locator('[data-test=ticket-number]').innerText()
      await shot(page, `appointment-ontime-${tag}`)

      if (i === 0) {
        // The same person again, by code, before being served: the same ticket, said so.
        await home(page)
        await page.click('[data-test=choice-appointment]')
        await page.locator('[data-test=appointment-id]').waitFor()
        await byCode(page, a.code, `appointment-code-${tag}`)
        await page.locator('[data-test=checked-in-again]').waitFor()
        assert.equal(await page.locator('[data-test=ticket-number]').innerText(), number)
        await shot(page, `appointment-again-${tag}`)

        // Booked, and called before the walk-ins who took a number first (the demo's
        // and walkIn); only 军人依法优先 comes before it (the demo's priority ticket).
        let called
        for (;;) {
          called = await clerk.post('/api/v1/counters/1/call-next')
          assert.equal(called.status, 200, JSON.stringify(called.body))
          assert.equal((await clerk.post(`/api/v1/tickets/${called.body.id}/start`)).status, 200)
          assert.equal((await clerk.post(`/api/v1/tickets/${called.body.id}/finish`)).status, 200)
          if (!called.body.priority) break
        }
        assert.equal(called.body.number, number, `the booked ${number} is called before the walk-in ${walkIn}`)
      }

      // Too early: no ticket, the booked time and when check-in opens.
      await home(page)
      await page.click('[data-test=choice-appointment]')
      await page.locator('[data-test=appointment-id]').waitFor()
      await byCode(page, booked.early.code)
      await page.locator('[data-test=appointment-early]').waitFor()
      const said = await page.locator('[data-test=early-message]').innerText()
      assert.equal(said.replace(/\s/g, ''), `您预约的是${booked.early.time}，请在${minus15(booked.early.time)}以后再来签到。`)
      await shot(page, `appointment-early-${tag}`)
      await page.click('[data-test=early-ok]')
      await page.locator('[data-test=choice-appointment]').waitFor()

      // No booking with this code today.
      await openCheckIn(page, large)
      await byCode(page, noCode)
      await page.locator('[data-test=appointment-none]').waitFor()
      await shot(page, `appointment-none-${tag}`)
      if (i === 0) {
        await page.click('[data-test=take-ticket]')
        await page.locator('[data-test=service-B]').waitFor()
      }
      assertNoPageErrors(page)
      await page.close()
    }
    const early = await clerk.get('/api/v1/appointments')
    assert.equal(early.body.appointments.find((x) => x.code === booked.early.code).status, 'booked', 'too early changes nothing')
  })

  test('late: an hour later a normal ticket, and the reason', async () => {
    booked.late = []
    for (let i = 0; i <= VARIANTS.length; i++) booked.late.push(await bookVia(5, '孙桂兰'))
    // The same station an hour later: one zone further east, on the same data.
    await server.stop()
    server = await start(EAST + 1, server.data)
    clerk = await staffApi(server.url, CLERK.name, CLERK.pin)

    for (const [i, [tag, viewport, large]] of VARIANTS.entries()) {
      const a = booked.late[i]
      const page = await openKiosk(browser.context, server.url, { viewport })
      await openCheckIn(page, large)
      await byCode(page, a.code)
      await page.locator('[data-test=checked-in]').waitFor()
      assert.match(await page.locator('[data-test=checked-in]').innerText(), new RegExp(`您预约的是 ${a.time}.*普通号`))
      assert.equal(await page.locator('[data-test=slot-badge]').count(), 0, 'a late ticket is a normal one')
      await shot(page, `appointment-late-${tag}`)
      assertNoPageErrors(page)
      await page.close()
    }
  })

  test('the console lists checked in, served, late and cancelled, and follows the kiosk', async () => {
    const con = await consolePage()
    const status = (a) => row(con, a).getAttribute('data-status')
    await row(con, booked.onTime[0]).waitFor()
    assert.equal(await status(booked.onTime[0]), 'served')
    assert.equal(await status(booked.onTime[1]), 'checked_in')
    assert.match(await row(con, booked.onTime[1]).locator('[data-test=ticket]').innerText(), /^B\d+$/)
    assert.equal(await status(booked.late[0]), 'checked_in')
    await row(con, booked.late[0]).locator('[data-test=late]').waitFor()
    assert.equal(await status(booked.early), 'booked')

    // A check-in at the kiosk shows without a reload.
    const last = booked.late[VARIANTS.length]
    const res = await fetch(`${server.url}/api/v1/appointments/check-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: last.code }),
    })
    assert.equal(res.status, 200)
    await con.locator(`[data-test=appointment-${last.code}][data-status=checked_in]`).waitFor({ timeout: 5000 })

    // 取消 asks first.
    await row(con, booked.console).locator('[data-test=cancel]').click()
    const dialog = con.locator('[data-test=cancel-dialog]')
    await dialog.waitFor()
    assert.match(await dialog.innerText(), /17:45/)
    await screenshot(con, 'appointment-console-cancel')
    await dialog.locator('.van-dialog__confirm').click()
    await con.locator(`[data-test=appointment-${booked.console.code}][data-status=cancelled]`).waitFor()
    assert.equal(await row(con, booked.console).locator('[data-test=cancel]').count(), 0)
    assert.match(await con.locator('[data-test=count-cancelled]').innerText(), /已取消\s*1/)
    assert.match(await con.locator('[data-test=count-served]').innerText(), /已办结\s*1/)
    await screenshot(con, 'appointment-console-list')
    await con.setViewportSize({ width: 1280, height: 1024 })
    await screenshot(con, 'appointment-console-list-1280')
    assertNoPageErrors(con)
    await con.close()
  })

  test('the counter sees which waiting tickets are booked, and for when', async () => {
    const a = booked.onTime[1]
    const number = (await clerk.get('/api/v1/appointments')).body.appointments.find((x) => x.code === a.code).ticket_number
    await browser.context.clearCookies()
    const desk = await openKiosk(browser.context, server.url, { path: '/staff', viewport: CONSOLE })
    await desk.locator('[data-test=login]').waitFor()
    await desk.fill('[data-test=login-name]', CLERK.name)
    for (const d of CLERK.pin) await desk.click(`[data-test=key-${d}]`)
    await desk.click('[data-test=login-submit]')
    await desk.locator('[data-test=pick-counter-1], [data-test=desk]').first().waitFor()
    if (await desk.locator('[data-test=pick-counter-1]').count()) await desk.click('[data-test=pick-counter-1]')
    const chip = desk.locator(`[data-test=waiting-${number}]`)
    await chip.waitFor()
    assert.match(await chip.locator('[data-test=chip-slot]').innerText(), new RegExp(`预约.*${a.time}`))
    await screenshot(desk, 'appointment-desk-waiting')
    await chip.click()
    await desk.locator('[data-test=current-booked]').waitFor()
    assert.match(await desk.locator('[data-test=current-booked]').innerText(), new RegExp(a.time))
    await screenshot(desk, 'appointment-desk-current')
    assertNoPageErrors(desk)
    await desk.close()
  })
})

// A station that offers Mongolian: an on-time booked ticket, its check-in sentence and
// slot badge with it, fits upright and lying, every word standing. Upright it was 294 px
// taller than the screen (the badge under 您的号码, the label above the number).
describe('appointments in Mongolian', () => {
  let mn
  let mnClerk
  before(async () => {
    mn = await startServer([], {
      setup: async (dir) => {
        await writeFile(join(dir, 'config.json'), JSON.stringify({ timezone: zone(EAST), languages: ['zh-CN', 'en', 'mn-Mong'] }))
        await addStaff(dir, CLERK.name, 'staff', CLERK.pin)
      },
    })
    mnClerk = await staffApi(mn.url, CLERK.name, CLERK.pin)
  })
  after(async () => {
    await mn?.stop()
  })

  for (const [tag, viewport, large] of VARIANTS) {
    test(`an on-time booked ticket in Mongolian fits ${tag}, nothing lying`, async () => {
      const { date, time } = stationClock(EAST, 5)
      const booked = await mnClerk.post('/api/v1/appointments', {
        service: 'B',
        date,
        time,
        name: '李秀英',
        id_number: idNumber(mn.people.ready.id, seq++),
      })
      assert.equal(booked.status, 201, JSON.stringify(booked.body))
      const page = await openKiosk(browser.context, mn.url, { path: '/?lang=mn-Mong', viewport })
      await page.waitForFunction(() => document.documentElement.lang === 'mn-Mong')
      await page.evaluate(() => document.fonts.ready)
      await openCheckIn(page, large)
      await byCode(page, booked.body.code)
      await page.locator('[data-test=checked-in]').waitFor()
      await page.locator('[data-test=slot-badge]').waitFor()
      await page.evaluate(() => document.fonts.ready)
      const name = `appointment-ontime-mn-${tag}`
      await screenshot(page, name)
      await assertNoCutText(page, name)
      await assertFits(page, name)
      assert.deepEqual(await lyingMongolian(page), [], `${name}: Mongolian text lies on its side`)
      // The badge stands beside 您的号码, not under it.
      const [label, badge] = await Promise.all(
        ['.ticket__label-text', '[data-test=slot-badge]'].map((s) => page.locator(s).boundingBox()),
      )
      assert.ok(badge.x >= label.x + label.width - 1, `${name}: the slot badge is not beside 您的号码`)
      assertNoPageErrors(page)
      await page.close()
    })
  }
})
