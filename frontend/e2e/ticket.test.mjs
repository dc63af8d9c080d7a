// Taking a ticket at the kiosk, as the people it is for would: in Chinese, in English,
// with large text, with priority, and with the double taps and lost answers that
// queue systems are known to turn into duplicate tickets.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  VIEWPORTS,
  assertFits,
  assertNoPageErrors,
  launchBrowser,
  openKiosk,
  pxOf,
  startServer,
  takeTicket,
  waitingCount,
} from './helpers.mjs'
import { kioskShot } from './plainwords.mjs'

const NUMBER = /^[A-J]\d{3}$/

let server
let browser

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function assertTicketShown(page) {
  const number = (await page.locator('[data-test=ticket-number]').textContent()).trim()
  assert.match(number, NUMBER)
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-test=qr]')
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0
  })
  await page.locator('[data-test=ahead]').waitFor()
  return number
}

describe('kiosk ticket', () => {
  test('in Chinese', async () => {
    const page = await openKiosk(browser.context, server.url)
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    await page.getByText('取号', { exact: true }).waitFor()
    // Today in words: 2026年11月1日星期日.
    assert.match(await page.locator('[data-test=date]').innerText(), /^\d{4}年\d{1,2}月\d{1,2}日星期.$/)
    await kioskShot(page, 'kiosk-home-zh')

    await page.click('[data-test=choice-ticket]')
    await page.locator('[data-test=service-J]').waitFor()
    await page.getByText('请选择要办理的业务').waitFor()
    assert.equal(await page.locator('[data-test^=service-]').count(), 9)
    await kioskShot(page, 'kiosk-services-zh')
    await assertFits(page, 'services 1280×800')

    await page.click('[data-test=service-B]')
    await page.getByText('您是否属于以下情况？').waitFor()
    await page.getByText('是，优先办理').waitFor()
    await page.getByText('否，正常排队').waitFor()
    await page.getByText('返回首页').waitFor()
    await kioskShot(page, 'kiosk-priority-zh')
    await assertFits(page, 'priority 1280×800')

    const before = await waitingCount(server.url, 'B')
    await page.click('[data-test=priority-no]')
    const number = await assertTicketShown(page)
    assert.equal(number[0], 'B')
    assert.match(await page.locator('[data-test=ahead]').textContent(), /前面还有 \d+ 人|马上就到您/)
    // The demo station has no printer, so the kiosk asks the person to note the number.
    assert.match(await page.locator('[data-test=print-notice]').textContent(), /记下号码/)
    assert.equal(await waitingCount(server.url, 'B'), before + 1)
    await kioskShot(page, 'kiosk-ticket-zh')
    await assertFits(page, 'ticket 1280×800')

    // With no printer there is nothing to reprint, so the kiosk does not offer it.
    assert.equal(await page.locator('[data-test=reprint]').count(), 0)
    await page.click('[data-test=primary]')
    await page.locator('[data-test=choice-ticket]').waitFor()
    assert.equal(await page.locator('[data-test=ticket-number]').count(), 0)
    assertNoPageErrors(page)
    await page.close()
  })

  test('in English', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=lang-en]')
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    await page.getByText('Take a ticket', { exact: true }).waitFor()
    await page.getByText('Large text').waitFor()
    assert.match(await page.locator('[data-test=date]').innerText(), /^[A-Z][a-z]+,? \d{1,2} [A-Z][a-z]+ \d{4}$/)
    await kioskShot(page, 'kiosk-home-en')

    await page.click('[data-test=choice-ticket]')
    await page.getByText('Please choose a service').waitFor()
    await page.getByText('Preferential card: apply, replace, update').waitFor()
    await kioskShot(page, 'kiosk-services-en')

    await page.click('[data-test=service-A]')
    await page.getByText('Does any of these apply to you?').waitFor()
    await page.getByText('Home', { exact: true }).waitFor()
    await kioskShot(page, 'kiosk-priority-en')

    await page.click('[data-test=priority-no]')
    await assertTicketShown(page)
    await page.getByText('Your number').waitFor()
    assert.match(
      await page.locator('[data-test=ahead]').textContent(),
      /You are next|\d+ (person|people) ahead of you/,
    )
    assert.match(await page.locator('[data-test=print-notice]').textContent(), /note the number/)
    await page.getByText('Done', { exact: true }).waitFor()
    await kioskShot(page, 'kiosk-ticket-en')

    // Server errors come back in the language on screen.
    await page.goto(server.url + '/kiosk/ticket/done/no-such-ticket')
    await page.locator('[data-test=error]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('a missing ticket shows the server message and a retry, not a blank screen', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/kiosk/ticket/done/no-such-ticket' })
    await page.locator('[data-test=error]').waitFor()
    await page.getByText('未找到该排队票').waitFor()
    await page.locator('[data-test=retry]').waitFor()
    await page.locator('[data-test=home]').waitFor()
    await kioskShot(page, 'kiosk-ticket-error-zh')
    assertNoPageErrors(page)
    await page.close()
  })

  test('in elderly mode (大字)', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=elderly-toggle]')
    assert.equal(await page.locator('html').getAttribute('class'), 'elderly')
    assert.equal(await page.locator('[data-test=elderly-toggle]').getAttribute('aria-checked'), 'true')
    await kioskShot(page, 'kiosk-home-elderly')
    for (const choice of await page.locator('.choice__title').all()) {
      assert.ok((await pxOf(choice, 'font-size')) >= 30, 'home choices use ≥ 30px text')
    }
    for (const sel of ['[data-test=elderly-toggle]', '[data-test=lang-en]', '[data-test=choice-ticket]']) {
      const box = await page.locator(sel).boundingBox()
      assert.ok(box.height >= 60 && box.width >= 60, `${sel} is at least 60×60 (${box.width}×${box.height})`)
    }

    await page.click('[data-test=choice-ticket]')
    await page.locator('[data-test=service-J]').waitFor()
    await kioskShot(page, 'kiosk-services-elderly')
    await assertFits(page, 'services, elderly, 1280×800')
    for (const name of await page.locator('.tile__name').all()) {
      assert.ok((await pxOf(name, 'font-size')) >= 30, 'service names use ≥ 30px text')
    }

    await page.click('[data-test=service-D]')
    const question = page.locator('[data-test=priority-question]')
    assert.ok((await pxOf(question, 'font-size')) >= 30)
    for (const item of await page.locator('.cases__item').all()) {
      assert.ok((await pxOf(item, 'font-size')) >= 30, 'the priority cases use ≥ 30px text')
      assert.ok((await pxOf(item, 'line-height')) >= 1.3 * (await pxOf(item, 'font-size')))
    }
    for (const sel of ['[data-test=priority-yes]', '[data-test=priority-no]', '[data-test=home]']) {
      const box = await page.locator(sel).boundingBox()
      assert.ok(box.height >= 60, `${sel} is at least 60px tall (${box.height})`)
    }
    await kioskShot(page, 'kiosk-priority-elderly')
    await assertFits(page, 'priority, elderly, 1280×800')

    await page.click('[data-test=priority-no]')
    await assertTicketShown(page)
    assert.ok((await pxOf(page.locator('[data-test=ahead]'), 'font-size')) >= 30)
    assert.ok((await pxOf(page.locator('[data-test=ticket-number]'), 'font-size')) >= 100)
    for (const sel of ['[data-test=primary]', '[data-test=home]']) {
      const box = await page.locator(sel).boundingBox()
      assert.ok(box.height >= 60, `${sel} is at least 60px tall (${box.height})`)
    }
    await kioskShot(page, 'kiosk-ticket-elderly')
    await assertFits(page, 'ticket, elderly, 1280×800')

    // 完成: the next person finds the kiosk in normal text.
    await page.click('[data-test=primary]')
    await page.locator('[data-test=choice-ticket]').waitFor()
    assert.equal(await page.locator('[data-test=elderly-toggle]').getAttribute('aria-checked'), 'false')
    assert.notEqual(await page.locator('html').getAttribute('class'), 'elderly')
    assertNoPageErrors(page)
    await page.close()
  })

  test('normal mode keeps targets ≥ 44px and body text ≥ 18px', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-ticket]')
    await page.locator('[data-test=service-A]').waitFor()
    for (const tile of await page.locator('[data-test^=service-]').all()) {
      const box = await tile.boundingBox()
      assert.ok(box.height >= 44 && box.width >= 44)
    }
    for (const small of await page.locator('.tile__typical, .tile__waiting').all()) {
      assert.ok((await pxOf(small, 'font-size')) >= 18)
    }
    assertNoPageErrors(page)
    await page.close()
  })

  test('with priority', async () => {
    const page = await openKiosk(browser.context, server.url)
    const before = await waitingCount(server.url, 'C')
    await takeTicket(page, 'C', true)
    await assertTicketShown(page)
    await page.locator('[data-test=priority-badge]').getByText('优先').waitFor()
    // A priority ticket goes ahead of the ordinary ones already waiting.
    const ahead = Number((await page.locator('[data-test=ahead]').textContent()).match(/\d+/)?.[0] ?? 0)
    assert.ok(ahead < before + 1, `priority ticket has ${ahead} ahead of ${before} waiting`)
    assert.equal(await waitingCount(server.url, 'C'), before + 1)
    await kioskShot(page, 'kiosk-ticket-priority')
    assertNoPageErrors(page)
    await page.close()
  })

  test('a double tap on the answer makes exactly one ticket', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-ticket]')
    await page.click('[data-test=service-E]')
    const before = await waitingCount(server.url, 'E')
    let posts = 0
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/tickets')) posts++
    })
    // Two taps in the same instant, before the screen can disable the buttons.
    await page.locator('[data-test=priority-yes]').evaluate((btn) => {
      btn.click()
      btn.click()
    })
    await assertTicketShown(page)
    assert.equal(posts, 1)
    assert.equal(await waitingCount(server.url, 'E'), before + 1)
    assertNoPageErrors(page)
    await page.close()
  })

  test('a lost answer, then a retry, makes exactly one ticket', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-ticket]')
    await page.click('[data-test=service-F]')
    const before = await waitingCount(server.url, 'F')
    const bodies = []
    // The station makes the ticket, but the answer never reaches the kiosk.
    await page.route('**/api/v1/tickets', async (route) => {
      bodies.push(route.request().postDataJSON())
      if (bodies.length === 1) {
        await route.fetch()
        await route.abort('connectionreset')
      } else {
        await route.continue()
      }
    })
    await page.click('[data-test=priority-no]')
    await page.locator('[data-test=error]').waitFor()
    await page.getByText('取号没有成功').waitFor()
    await page.getByText('无法连接服务站主机').waitFor()
    await kioskShot(page, 'kiosk-priority-error')
    assert.equal(await waitingCount(server.url, 'F'), before + 1)

    await page.click('[data-test=retry]')
    await assertTicketShown(page)
    assert.equal(bodies.length, 2)
    assert.equal(bodies[1].request_id, bodies[0].request_id)
    assert.equal(await waitingCount(server.url, 'F'), before + 1)
    assertNoPageErrors(page)
    await page.close()
  })

  test('fits 1920×1080 and portrait 1080×1920', async () => {
    for (const [name, viewport] of [
      ['fullhd', VIEWPORTS.fullHD],
      ['portrait', VIEWPORTS.portrait],
    ]) {
      for (const elderly of [false, true]) {
        const tag = `${name}${elderly ? '-elderly' : ''}`
        const page = await openKiosk(browser.context, server.url, { viewport })
        if (elderly) await page.click('[data-test=elderly-toggle]')
        await kioskShot(page, `kiosk-home-${tag}`)
        await assertFits(page, `home ${tag}`)
        await page.click('[data-test=choice-ticket]')
        await page.locator('[data-test=service-J]').waitFor()
        await kioskShot(page, `kiosk-services-${tag}`)
        await assertFits(page, `services ${tag}`)
        await page.click('[data-test=service-G]')
        await page.locator('[data-test=priority-no]').waitFor()
        await kioskShot(page, `kiosk-priority-${tag}`)
        await assertFits(page, `priority ${tag}`)
        await page.click('[data-test=priority-no]')
        await assertTicketShown(page)
        await kioskShot(page, `kiosk-ticket-${tag}`)
        await assertFits(page, `ticket ${tag}`)
        assertNoPageErrors(page)
        await page.close()
      }
    }
  })
})
