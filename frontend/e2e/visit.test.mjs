// Self-registration of a visit at the kiosk (来访登记), as its users would do it: the
// processing notice, the ID number of the person concerned on the keypad, the relation,
// the phone, the service and the matter, the check and the serial — in Chinese, in
// English and in elderly mode; a wrong check digit explained; an ID-card reader's
// re-scan; a registration started from the ticket screen, tied to that ticket; a ticket
// taken from the done screen, tied to the visit (and taken all the same when the tie
// fails); a double tap that registers once; the idle reset that leaves no digit
// behind. The station is real and runs the demo registry: staff then see the visit
// with the name from the registry.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  assertFits,
  assertNoPageErrors,
  launchBrowser,
  openKiosk,
  pxOf,
  screenshot,
  staffApi,
  startServer,
  takeTicket,
  VIEWPORTS,
  tapKeys,
} from './helpers.mjs'
import { assertPlainWords, kioskShot } from './plainwords.mjs'

const ADMIN = { name: '演示', pin: '246810' }

let server
let browser
let admin

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  assert.ok(server.people.ready, 'the demo station printed no person')
  admin = await staffApi(server.url, ADMIN.name, ADMIN.pin)
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/**
 * shot checks that the screen offers 返回首页 and speaks plainly, and with a name saves
 * a screenshot and checks that the screen needs no scrolling.
 */
async function shot(page, name) {
  assert.ok(await page.locator('[data-test=home]').isVisible(), `${name || page.url()}: no home button`)
  await assertPlainWords(page, name || page.url())
  if (!name) return
  await screenshot(page, name)
  await assertFits(page, name)
}

/**
 * register walks the whole registration from home and returns the serial shown. With
 * shots, every screen is photographed as `visit-<step>-<shots>`.
 */
async function register(
  page,
  { id, phone, relation = 'child', service = 'B', matter = 'B5', shots = '', start = '[data-test=choice-visit]' },
) {
  await page.click(start)
  await page.locator('[data-test=visit-notice] .vs-points').waitFor()
  await shot(page, shots && `visit-1-notice-${shots}`)
  // Two or three short lines; the station's whole notice behind 详细说明, closable.
  const points = await page.locator('[data-test=visit-notice] .vs-points__item').count()
  assert.ok(points >= 2 && points <= 3, `${points} lines on the notice`)
  if (shots) {
    await page.click('[data-test=notice-details]')
    await page.locator('[data-test=notice-full]').waitFor()
    assert.ok((await page.locator('[data-test=notice-full] .details__line').count()) > points)
    await kioskShot(page, `visit-1-notice-details-${shots}`)
    await page.click('[data-test=notice-close]')
    await page.locator('[data-test=notice-full]').waitFor({ state: 'hidden' })
  }
  await page.click('[data-test=agree]')

  await page.locator('[data-test=visit-id]').waitFor()
  await tapKeys(page, id)
  await page.locator('[data-test=id-ok]').waitFor()
  await shot(page, shots && `visit-2-id-${shots}`)
  await page.click('[data-test=next]')

  await page.locator('[data-test=visit-relation]').waitFor()
  await shot(page, shots && `visit-3-relation-${shots}`)
  await page.click(`[data-test=relation-${relation}]`)

  await page.locator('[data-test=visit-phone]').waitFor()
  await tapKeys(page, phone)
  await page.locator('[data-test=phone-ok]').waitFor()
  await shot(page, shots && `visit-4-phone-${shots}`)
  await page.click('[data-test=next]')

  await page.locator('[data-test=visit-service]').waitFor()
  await shot(page, shots && `visit-5-service-${shots}`)
  await page.click(`[data-test=service-${service}]`)

  await page.locator('[data-test=visit-matter]').waitFor()
  await shot(page, shots && `visit-6-matter-${shots}`)
  await page.click(`[data-test=matter-${matter}]`)

  await page.locator('[data-test=visit-confirm]').waitFor()
  assert.equal((await page.textContent('[data-test=confirm-id]')).trim(), `${id.slice(0, 6)}********${id.slice(14)}`)
  assert.equal((await page.textContent('[data-test=confirm-phone]')).trim(), `${phone.slice(0, 3)}****${phone.slice(7)}`)
  await shot(page, shots && `visit-7-confirm-${shots}`)
  await page.click('[data-test=submit]')

  await page.locator('[data-test=visit-done]').waitFor()
  await shot(page, shots && `visit-8-done-${shots}`)
  const serial = (await page.textContent('[data-test=visit-serial]')).trim()
  assert.match(serial, /^\d{4}-\d{4}$/)
  return serial
}

/** waitFor polls check until it returns something truthy, and returns that. */
async function waitFor(check, what, timeoutMs = 5_000) {
  const end = Date.now() + timeoutMs
  for (;;) {
    const got = await check()
    if (got) return got
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** staffVisit finds a visit by serial through the staff API. */
async function staffVisit(serial) {
  const r = await admin.post('/api/v1/visits/search', { limit: 200 })
  assert.equal(r.status, 200)
  return r.body.visits.find((v) => v.serial === serial)
}

describe('kiosk visit registration', () => {
  test('in Chinese: a registry person, the name comes from the registry on the staff side', async () => {
    const person = server.people.ready
    const page = await openKiosk(browser.context, server.url)
    const serial = await register(page, { id: person.id, phone: '13812345678', shots: 'zh' })
    const text = await page.textContent('[data-test=visit]')
    assert.ok(text.includes('登记成功'), text)
    assert.ok(!text.includes(person.id), 'the full ID number is on the done screen')
    assert.ok(!text.includes('13812345678'), 'the full phone is on the done screen')
    assert.ok(text.includes('请取号等候'), text)

    const v = await staffVisit(serial)
    assert.ok(v, `staff do not see visit ${serial}`)
    assert.equal(v.source, 'kiosk')
    assert.equal(v.relation, 'child')
    assert.equal(v.matter, 'B5')
    assert.equal(v.name_from_registry, true)
    assert.ok(v.name && v.name.includes('*'), `name should be masked: ${v.name}`)
    assert.equal(v.phone, '138****5678')

    // 完成 goes home with nothing left.
    await page.click('[data-test=finish]')
    await page.locator('[data-test=choice-visit]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('the done screen offers a ticket for the service, which then says the visit is registered', async () => {
    const page = await openKiosk(browser.context, server.url)
    const serial = await register(page, { id: server.people.issued.id, phone: '13900001111', service: 'A', matter: 'A1' })
    await page.click('[data-test=take-ticket]')
    await page.locator('[data-test=priority-no]').waitFor()
    await page.click('[data-test=priority-no]')
    await page.locator('[data-test=ticket-number]').waitFor()
    const number = (await page.textContent('[data-test=ticket-number]')).trim()
    assert.match(number, /^A\d+/)
    // Registered a moment ago: the ticket says so instead of offering to register again.
    assert.match(await page.textContent('[data-test=ticket-visit]'), new RegExp(serial))
    assert.equal(await page.locator('[data-test=register-visit]').count(), 0)
    // The kiosk ties the visit to the ticket: staff calling the number find the visit,
    // and its trail says the kiosk added the ticket.
    const v = await waitFor(async () => {
      const found = await staffVisit(serial)
      return found?.ticket_number === number && found
    }, `staff see ticket ${number} on visit ${serial}`)
    const detail = await admin.get(`/api/v1/visits/${v.id}`)
    const last = detail.body.audit.at(-1)
    assert.equal(last.by, 'kiosk')
    assert.deepEqual(
      last.changes.map((c) => [c.field, c.new]),
      [['ticket', number]],
    )
    // The next person's ticket offers the registration again.
    await page.click('[data-test=primary]')
    await takeTicket(page, 'A', false)
    assert.equal(await page.locator('[data-test=ticket-visit]').count(), 0)
    await page.locator('[data-test=register-visit]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('when the station cannot tie the visit to the ticket, the person still gets the ticket', async () => {
    const page = await openKiosk(browser.context, server.url)
    const warnings = []
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text())
    })
    let tries = 0
    await page.route('**/api/v1/visits/*/ticket', (route) => {
      tries++
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{"code":"unavailable","message":"忙"}' })
    })
    const serial = await register(page, { id: server.people.registered.id, phone: '13900002222', service: 'A', matter: 'A2' })
    await page.click('[data-test=take-ticket]')
    await page.click('[data-test=priority-no]')
    await page.locator('[data-test=ticket-number]').waitFor()
    assert.match(await page.textContent('[data-test=ticket-visit]'), new RegExp(serial))
    // Retried in the background, then logged for whoever services the kiosk; the
    // ticket stays on screen with nothing alarming.
    await waitFor(() => warnings.some((w) => w.includes(serial)), 'a logged warning naming the serial', 15_000)
    assert.equal(tries, 3)
    assert.equal(await page.locator('.notice--error').count(), 0)
    await page.locator('[data-test=ticket-number]').waitFor()
    assert.equal((await staffVisit(serial)).ticket_number, '')
    assertNoPageErrors(page)
    await page.close()
  })

  test('from the ticket screen: 来访登记 registers a visit tied to that ticket and ends back on it', async () => {
    const page = await openKiosk(browser.context, server.url)
    await takeTicket(page, 'B', false)
    const number = (await page.textContent('[data-test=ticket-number]')).trim()
    await page.locator('[data-test=register-visit]').waitFor()
    await kioskShot(page, 'ticket-visit-button')
    await assertFits(page, 'ticket with 来访登记')
    assert.match(await page.textContent('[data-test=register-visit]'), /来访登记/)

    // 返回 on the notice goes back to the ticket, which is still there.
    await page.click('[data-test=register-visit]')
    await page.locator('[data-test=visit-notice] .vs-points').waitFor()
    await page.click('[data-test=back]')
    assert.equal((await page.textContent('[data-test=ticket-number]')).trim(), number)

    // The ticket's service is marked on the service step; the confirm screen names the ticket.
    await page.click('[data-test=register-visit]')
    await page.click('[data-test=agree]')
    await tapKeys(page, server.people.making.id)
    await page.locator('[data-test=id-ok]').waitFor()
    await page.click('[data-test=next]')
    await page.click('[data-test=relation-self]')
    await tapKeys(page, '13811112222')
    await page.click('[data-test=next]')
    await page.locator('[data-test=visit-service]').waitFor()
    assert.match(await page.getAttribute('[data-test=service-B]', 'class'), /lk-option--on/)
    await page.click('[data-test=service-B]')
    await page.click('[data-test=matter-B5]')
    assert.equal((await page.textContent('[data-test=confirm-ticket]')).trim(), number)
    await page.click('[data-test=submit]')
    await page.locator('[data-test=visit-done]').waitFor()
    const serial = (await page.textContent('[data-test=visit-serial]')).trim()
    assert.match(await page.textContent('[data-test=visit-wait]'), new RegExp(number))
    assert.equal(await page.locator('[data-test=take-ticket]').count(), 0)
    assert.match(await page.textContent('[data-test=finish]'), /返回我的排队票/)
    await shot(page, 'visit-8-done-ticket')

    // Staff see the visit with the ticket.
    const v = await staffVisit(serial)
    assert.equal(v.ticket_number, number)

    // Back on the ticket: the visit is said, not offered again; 完成 clears it all.
    await page.click('[data-test=finish]')
    assert.equal((await page.textContent('[data-test=ticket-number]')).trim(), number)
    assert.match(await page.textContent('[data-test=ticket-visit]'), new RegExp(serial))
    assert.equal(await page.locator('[data-test=register-visit]').count(), 0)
    await kioskShot(page, 'ticket-visit-registered')
    await assertFits(page, 'ticket with the visit registered')
    await page.click('[data-test=primary]')
    await page.locator('[data-test=choice-visit]').waitFor()

    // A registration started from home afterwards is tied to no ticket.
    const serial2 = await register(page, { id: server.people.making.id, phone: '13811113333' })
    assert.equal((await staffVisit(serial2)).ticket_number, '')
    assertNoPageErrors(page)
    await page.close()
  })

  test('from the ticket screen in elderly mode and in English, everything fits', async () => {
    for (const [mode, viewport] of [
      ['elderly', VIEWPORTS.kiosk],
      ['en', VIEWPORTS.kiosk],
      ['portrait', VIEWPORTS.portrait],
    ]) {
      const page = await openKiosk(browser.context, server.url, { viewport })
      if (mode === 'elderly') await page.click('[data-test=elderly-toggle]')
      if (mode === 'en') await page.click('[data-test=lang-en]')
      await takeTicket(page, 'A', false)
      await page.locator('[data-test=register-visit]').waitFor()
      await kioskShot(page, `ticket-visit-button-${mode}`)
      await assertFits(page, `ticket with the visit button, ${mode}`)
      if (mode === 'en') assert.match(await page.textContent('[data-test=register-visit]'), /Register your visit/)
      assertNoPageErrors(page)
      await page.close()
    }
  })

  test('in English', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=lang-en]')
    const serial = await register(page, {
      id: server.people.making.id,
      phone: '15000002222',
      relation: 'self',
      service: 'B',
      matter: 'B1',
      shots: 'en',
    })
    const text = await page.textContent('[data-test=visit]')
    assert.ok(text.includes('You are registered'), text)
    assert.ok(!/[\u4e00-\u9fff]/.test(await page.textContent('[data-test=visit-done] .screen__title')))
    const v = await staffVisit(serial)
    assert.equal(v.relation, 'self')
    assertNoPageErrors(page)
    await page.close()
  })

  test('in elderly mode: larger type, everything still on one screen', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-visit]')
    await page.locator('[data-test=agree]').waitFor()
    const normal = await pxOf(page.locator('[data-test=agree]'), 'font-size')
    await page.click('[data-test=home]')
    await page.click('[data-test=elderly-toggle]')
    const serial = await register(page, {
      id: server.people.registered.id,
      phone: '18600003333',
      relation: 'spouse',
      service: 'B',
      matter: 'B2',
      shots: 'elderly',
    })
    await page.click('[data-test=finish]')
    // 完成 ends the visit: the next person finds normal text, and turns 大字 on again.
    await page.locator('[data-test=choice-visit]').waitFor()
    assert.equal(await page.locator('[data-test=elderly-toggle]').getAttribute('aria-checked'), 'false')
    await page.click('[data-test=elderly-toggle]')
    await page.click('[data-test=choice-visit]')
    await page.locator('[data-test=agree]').waitFor()
    const large = await pxOf(page.locator('[data-test=agree]'), 'font-size')
    assert.ok(large >= 30 && large > normal, `elderly buttons ${large}px, normal ${normal}px`)
    assert.ok(await staffVisit(serial))
    assertNoPageErrors(page)
    await page.close()
  })

  test('on a portrait screen every step fits', async () => {
    const page = await openKiosk(browser.context, server.url, { viewport: VIEWPORTS.portrait })
    await register(page, { id: server.people.ready.id, phone: '13512345678', shots: 'portrait' })
    assertNoPageErrors(page)
    await page.close()
  })

  test('a wrong check digit is explained and the number is not accepted', async () => {
    const id = server.people.ready.id
    const wrong = id.slice(0, 17) + (id.at(-1) === '0' ? '1' : '0')
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    await tapKeys(page, wrong)
    const err = page.locator('[data-test=id-error]')
    await err.waitFor()
    assert.match(await err.textContent(), /最后一位不对/)
    await shot(page, 'visit-2-id-wrong-checksum')
    await page.click('[data-test=next]')
    await page.waitForTimeout(300)
    assert.equal(await page.locator('[data-test=visit-relation]').count(), 0, 'a wrong number went on')
    // A short phone is explained too.
    await page.click('[data-test=keypad] [data-key=back]')
    await tapKeys(page, id.at(-1))
    await page.locator('[data-test=id-ok]').waitFor()
    await page.click('[data-test=next]')
    await page.click('[data-test=relation-self]')
    await tapKeys(page, '1381234')
    await page.click('[data-test=next]')
    await page.locator('[data-test=phone-error]').waitFor()
    assert.match(await page.textContent('[data-test=phone-error]'), /11/)
    assertNoPageErrors(page)
    await page.close()
  })

  test('an ID-card reader typing into a full field starts a new number; a finger cannot overfill it', async () => {
    const id = server.people.ready.id
    const wrong = id.slice(0, 17) + (id.at(-1) === '0' ? '1' : '0')
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    await tapKeys(page, wrong)
    await page.locator('[data-test=id-error]').waitFor()
    assert.equal(await page.locator('[data-test=id-display] .digits__ch--bad').count(), 1)
    // One tap too many on a full field changes nothing.
    await tapKeys(page, '5')
    assert.equal((await page.textContent('[data-test=id-display]')).replace(/\s/g, ''), wrong)
    // A reader types the whole number (a lower-case x too) and Enter: a new number
    // begins, and its Enter goes on once the station has checked it.
    await page.keyboard.type(id.toLowerCase() + '\n', { delay: 5 })
    await page.locator('[data-test=visit-relation]').waitFor()
    // Back on the ID step, the number read is there and accepted.
    await page.click('[data-test=back]')
    assert.equal((await page.textContent('[data-test=id-display]')).replace(/\s/g, ''), id)
    await page.locator('[data-test=id-ok]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('a double tap on 确认登记 registers one visit', async () => {
    const before = (await admin.post('/api/v1/visits/search', { limit: 1 })).body.total
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    await tapKeys(page, server.people.lost.id)
    await page.locator('[data-test=id-ok]').waitFor()
    await page.click('[data-test=next]')
    await page.click('[data-test=relation-parent]')
    await tapKeys(page, '13712345678')
    await page.click('[data-test=next]')
    await page.click('[data-test=service-B]')
    await page.click('[data-test=matter-B3]')
    await page.locator('[data-test=submit]').dblclick()
    await page.locator('[data-test=visit-done]').waitFor()
    const after = (await admin.post('/api/v1/visits/search', { limit: 1 })).body.total
    assert.equal(after, before + 1)
    await page.close()
  })

  test('返回首页 mid-way leads home and forgets what was typed, in English too', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=lang-en]')
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    await tapKeys(page, server.people.ready.id)
    await page.locator('[data-test=id-ok]').waitFor()
    await page.click('[data-test=next]')
    await page.click('[data-test=relation-other]')
    await tapKeys(page, '1391234')
    await page.click('[data-test=home]')
    await page.getByText('Take a ticket', { exact: true }).waitFor()
    assert.ok(!(await page.content()).includes(server.people.ready.id.slice(6, 14)))
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    assert.equal((await page.textContent('[data-test=id-display]')).trim(), '')
    assertNoPageErrors(page)
    await page.close()
  })

  test('idle reset clears the entered data: no ID or phone digits stay in the page', async () => {
    const id = server.people.replacing.id
    const page = await openKiosk(browser.context, server.url, { path: '/?idle=4,2' })
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    await tapKeys(page, id)
    await page.locator('[data-test=id-ok]').waitFor()
    await page.click('[data-test=next]')
    await page.click('[data-test=relation-self]')
    await tapKeys(page, '13612345678')
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'visible', timeout: 8_000 })
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'hidden', timeout: 8_000 })
    await page.locator('[data-test=choice-visit]').waitFor()
    const html = await page.content()
    for (const s of [id, id.slice(0, 6), id.slice(6, 14), '13612345678', '1361234']) {
      assert.ok(!html.includes(s), `"${s}" is still in the page after the idle reset`)
    }
    // Coming back starts from the notice with nothing typed.
    await page.click('[data-test=choice-visit]')
    await page.click('[data-test=agree]')
    assert.equal((await page.textContent('[data-test=id-display]')).trim(), '')
    assertNoPageErrors(page)
    await page.close()
  })
})

describe('the counter sees the visit', () => {
  test('staff call a ticket registered with a visit: the counter says so and opens the ledger entry', async () => {
    // At the kiosk: a ticket, then 来访登记 from the ticket screen.
    const kiosk = await openKiosk(browser.context, server.url)
    await takeTicket(kiosk, 'B', false)
    const number = (await kiosk.textContent('[data-test=ticket-number]')).trim()
    await kiosk.click('[data-test=register-visit]')
    await kiosk.click('[data-test=agree]')
    await tapKeys(kiosk, server.people.ready.id)
    await kiosk.locator('[data-test=id-ok]').waitFor()
    await kiosk.click('[data-test=next]')
    await kiosk.click('[data-test=relation-self]')
    await tapKeys(kiosk, '13811114444')
    await kiosk.click('[data-test=next]')
    await kiosk.click('[data-test=service-B]')
    await kiosk.click('[data-test=matter-B2]')
    await kiosk.click('[data-test=submit]')
    await kiosk.locator('[data-test=visit-done]').waitFor()
    const serial = (await kiosk.textContent('[data-test=visit-serial]')).trim()
    const v = await staffVisit(serial)
    assert.equal(v.ticket_number, number)
    assertNoPageErrors(kiosk)
    await kiosk.close()

    // At the counter: log in; first a ticket without a visit, which shows no such line.
    const plain = await takeTicketFor('B')
    const page = await openKiosk(browser.context, server.url, { path: '/staff', viewport: VIEWPORTS.kiosk })
    await page.locator('[data-test=login]').waitFor()
    await page.fill('[data-test=login-name]', ADMIN.name)
    for (const d of ADMIN.pin) await page.click(`[data-test=key-${d}]`)
    await page.click('[data-test=login-submit]')
    await page.click('[data-test=pick-counter-1]')
    await page.locator('[data-test=desk]').waitFor()
    await page.click(`[data-test=waiting-${plain}]`)
    await waitFor(async () => (await page.textContent('[data-test=current-number]'))?.trim() === plain, 'the first call')
    assert.equal(await page.locator('[data-test=current-visit]').count(), 0)
    await page.click('[data-test=act-finish]')
    await page.click('[data-test=finish-confirm]')
    await page.locator('[data-test=current-none]').waitFor()

    // Then the ticket with the visit: a calm line with the serial, the service and
    // the matter — nothing personal.
    await page.click(`[data-test=waiting-${number}]`)
    await waitFor(async () => (await page.textContent('[data-test=current-number]'))?.trim() === number, 'the call')
    const line = page.locator('[data-test=current-visit]')
    await line.waitFor()
    const text = (await line.textContent()).replace(/\s+/g, ' ')
    assert.match(text, new RegExp(`已来访登记 ${serial}`))
    assert.ok(text.includes(v.service_name), `the line "${text}" does not name ${v.service_name}`)
    assert.ok(text.includes(v.matter_name), `the line "${text}" does not name ${v.matter_name}`)
    const id = server.people.ready.id
    for (const secret of [id, id.slice(0, 6), '13811114444', '4444', v.name].filter(Boolean)) {
      assert.ok(!text.includes(secret), `the counter's line shows "${secret}"`)
    }
    await screenshot(page, 'staff-desk-visit')

    // A reloaded console still shows it (the waiting list carries it).
    await page.reload()
    await page.locator('[data-test=current-visit]').waitFor()

    // The link opens that entry in the ledger.
    await page.click('[data-test=current-visit-open]')
    await page.locator('[data-test=visit-detail]').waitFor()
    assert.match(await page.textContent('[data-test=detail-serial]'), new RegExp(serial))
    assert.ok(new URL(page.url()).pathname.endsWith('/staff/ledger'))
    assert.equal(new URL(page.url()).searchParams.get('visit'), null, 'the entry stays in the address')
    await screenshot(page, 'staff-desk-visit-ledger')
    assertNoPageErrors(page)
    await page.close()
    assert.equal((await admin.post(`/api/v1/tickets/${v.ticket_id}/finish`)).status, 200)
  })
})

/** takeTicketFor takes a ticket at a kiosk page and returns its number. */
async function takeTicketFor(letter) {
  const kiosk = await openKiosk(browser.context, server.url)
  await takeTicket(kiosk, letter, false)
  const number = (await kiosk.textContent('[data-test=ticket-number]')).trim()
  await kiosk.close()
  return number
}
