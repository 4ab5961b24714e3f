// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// html_chromium.sh: coldtrace's HTML page in headless Chromium, driven over
// the DevTools protocol on --remote-debugging-pipe (fd 3: commands, fd 4:
// replies and events, each message NUL-terminated). Node's built-ins only.
//
//   node html_check.js CHROMIUM PAGE.html OUT.png [TABLE COLUMN [FIGURE]]
//
// Prints "ok   WHAT" / "FAIL WHAT" lines (okfail.sh's words) and exits 1 if
// anything failed: the page loads with no console error, no exception and
// no request but the file itself; a screenshot of the picture in <figure
// id=FIGURE> (default timeline) (OUT.png; OUT-zoom.png zoomed 4x when it
// has a zoom); hovering a bar of the picture shows its details; a click on
// the heading COLUMN (default "clock ms") of table TABLE (default pkginits)
// sorts its rows ascending, a second click descending; the zoom stretches
// the picture, not its texts.
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chromium, page, png, tableId = 'pkginits', column = 'clock ms', fig = 'timeline'] = process.argv.slice(2);
if (!chromium || !page || !png) {
	console.error('usage: node html_check.js CHROMIUM PAGE.html OUT.png [TABLE COLUMN [FIGURE]]');
	process.exit(2);
}
const url = 'file://' + path.resolve(page);
let failed = 0;
const ok = (what) => console.log('ok   ' + what);
const bad = (what, ...detail) => {
	failed++;
	console.log('FAIL ' + what);
	for (const d of detail)
		console.log('     ' + d);
};

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-html-'));
const browser = spawn(chromium, [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions',
	'--user-data-dir=' + profile, '--remote-debugging-pipe', '--window-size=1400,1000', 'about:blank',
], {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']});
let stderr = '';
browser.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });

let nextId = 1, inbuf = '';
const waiting = new Map(), listeners = [];
browser.stdio[4].on('data', (chunk) => {
	inbuf += chunk.toString('utf8');
	let end;
	while ((end = inbuf.indexOf('\0')) >= 0) {
		const msg = JSON.parse(inbuf.slice(0, end));
		inbuf = inbuf.slice(end + 1);
		if (msg.id && waiting.has(msg.id)) {
			const w = waiting.get(msg.id);
			waiting.delete(msg.id);
			if (msg.error)
				w.reject(new Error(w.method + ': ' + msg.error.message));
			else
				w.resolve(msg.result);
		} else if (msg.method) {
			for (const l of listeners)
				l(msg);
		}
	}
});

function send(method, params = {}, sessionId) {
	const id = nextId++;
	const msg = {id, method, params};
	if (sessionId)
		msg.sessionId = sessionId;
	return new Promise((resolve, reject) => {
		waiting.set(id, {resolve, reject, method});
		browser.stdio[3].write(JSON.stringify(msg) + '\0');
	});
}

function event(name, ms) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('no ' + name + ' in ' + ms + ' ms')), ms);
		listeners.push((m) => {
			if (m.method === name) {
				clearTimeout(t);
				resolve(m.params);
			}
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
	const errors = [], requests = [];
	const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
	const {sessionId: s} = await send('Target.attachToTarget', {targetId, flatten: true});
	listeners.push((m) => {
		if (m.sessionId !== s)
			return;
		const p = m.params;
		if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
			errors.push('console.' + p.type + ': ' + p.args.map((a) => a.value || a.description).join(' '));
		else if (m.method === 'Runtime.exceptionThrown')
			errors.push('exception: ' + (p.exceptionDetails.exception ? p.exceptionDetails.exception.description
										 : p.exceptionDetails.text));
		else if (m.method === 'Log.entryAdded' && p.entry.level === 'error')
			errors.push('log: ' + p.entry.text + (p.entry.url ? ' (' + p.entry.url + ')' : ''));
		else if (m.method === 'Network.requestWillBeSent')
			requests.push(p.request.url);
	});
	for (const d of ['Runtime', 'Log', 'Network', 'Page'])
		await send(d + '.enable', {}, s);
	await send('Emulation.setDeviceMetricsOverride', {width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false}, s);
	const loaded = event('Page.loadEventFired', 30000);
	await send('Page.navigate', {url}, s);
	await loaded;
	await sleep(500); // late errors, if any

	const js = async (expr) => {
		const r = await send('Runtime.evaluate', {expression: expr, returnByValue: true, awaitPromise: true}, s);
		if (r.exceptionDetails)
			throw new Error('evaluate: ' + r.exceptionDetails.text + ' in ' + expr.slice(0, 80));
		return r.result.value;
	};
	// the centre of an element, scrolled into view (CSS pixels of the viewport)
	const centre = (sel) => js(`(() => { const e = ${sel}; if (!e) return null; e.scrollIntoView({block: 'center', inline: 'center'});
		const r = e.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`);
	const click = async (p) => {
		for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased'])
			await send('Input.dispatchMouseEvent', {type, x: p.x, y: p.y, button: 'left', clickCount: 1}, s);
	};

	// the picture: a screenshot of its box
	const box = await js(`(() => { const b = document.querySelector('#${fig} .box'); if (!b) return null;
		b.scrollIntoView(); const r = b.getBoundingClientRect();
		return {x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height}; })()`);
	const shot = async (file) => {
		const clip = {x: box.x, y: box.y, width: Math.min(box.w, 1400), height: Math.min(box.h, 2000), scale: 1};
		const {data} = await send('Page.captureScreenshot', {format: 'png', clip, captureBeyondViewport: true}, s);
		fs.writeFileSync(file, Buffer.from(data, 'base64'));
	};
	if (box && box.w > 100 && box.h > 100) {
		await shot(png);
		ok(`screenshot of #${fig} (${Math.round(box.w)}x${Math.round(box.h)} px): ${png}`);
	} else {
		bad(`#${fig} is on the page`, JSON.stringify(box));
	}

	// hover details: a bar's tooltip, at a point of the bar where the bar
	// itself is on top (not a mark, dot or label drawn over it: where a p50
	// mark crosses a box depends on the runs). The point is found again after
	// the scroll has settled, and the pointer moved there once more if the
	// page moved under it (a scroll ending after the first move fires a
	// mouseover on whatever is then under the pointer)
	const barPoint = () => js(`(() => {
		for (const e of document.querySelectorAll('#${fig} svg rect[data-tip]')) {
			if (e.getBoundingClientRect().width <= 4 || !/ms/.test(e.getAttribute('data-tip')))
				continue;
			e.scrollIntoView({block: 'center', inline: 'center'});
			const r = e.getBoundingClientRect();
			for (let i = 1; i < 16; i++) {
				const x = r.left + r.width * i / 16, y = r.top + r.height / 2;
				if (document.elementFromPoint(x, y) === e)
					return {x, y};
			}
		}
		return null;
	})()`);
	let bar = await barPoint(), tip = null;
	for (let attempt = 0; bar && attempt < 3; attempt++) {
		await sleep(200);
		bar = await barPoint();
		if (!bar)
			break;
		await send('Input.dispatchMouseEvent', {type: 'mouseMoved', x: bar.x + attempt, y: bar.y}, s);
		await sleep(100);
		tip = await js(`(() => { const t = document.getElementById('tip'); return {hidden: t.hidden, text: t.textContent}; })()`);
		if (!tip.hidden && tip.text.length > 2)
			break;
	}
	if (bar) {
		if (!tip.hidden && tip.text.length > 2)
			ok(`hovering a bar shows its details ("${tip.text.split('\n')[0].slice(0, 60)}")`);
		else
			bad('hovering a bar shows its details', JSON.stringify(tip));
	} else {
		bad('the picture has bars with details');
	}

	// sorting: a click on the heading sorts by that column, a second the other way
	const th = `Array.prototype.find.call(document.querySelectorAll('#${tableId} th'), (h) => h.textContent === '${column}')`;
	const col = () => js(`(() => { const h = ${th}; if (!h) return null; const i = h.cellIndex;
		return Array.prototype.map.call(document.querySelectorAll('#${tableId} tbody tr'), (r) => {
			const v = r.cells[i].getAttribute('data-v'); return v === null ? null : parseFloat(v); }); })()`);
	const sorted = (v, dir) => {
		const known = v.filter((x) => x !== null);
		for (let i = 1; i < known.length; i++)
			if (dir * (known[i] - known[i - 1]) < 0)
				return false;
		return v.slice(known.length).every((x) => x === null); // unknown values last
	};
	const before = await col();
	if (!before || before.length < 3) {
		bad(`table #${tableId} has a column "${column}" with rows`, JSON.stringify(before));
	} else if (sorted(before, 1)) {
		bad(`column "${column}" of #${tableId} is not sorted before the click (else the test tells nothing)`);
	} else {
		await click(await centre(th));
		const up = await col();
		const aria = await js(`${th}.getAttribute('aria-sort')`);
		if (sorted(up, 1) && aria === 'ascending' && up.length === before.length)
			ok(`a click on "${column}" sorts #${tableId} ascending (${up.length} rows, ${up[0]} .. ${up[up.length - 1]})`);
		else
			bad(`a click on "${column}" sorts #${tableId} ascending`, 'aria-sort ' + aria, JSON.stringify(up.slice(0, 20)));
		await click(await centre(th));
		const down = await col();
		if (sorted(down, -1) && down.length === before.length && down[0] !== up[0])
			ok(`a second click sorts it descending (${down[0]} first)`);
		else
			bad(`a second click sorts it descending`, JSON.stringify(down.slice(0, 20)));
	}

	// zoom: the picture 4x wider, its texts the same size
	if (await js(`!!document.querySelector('#${fig}.zoomable')`)) {
		const z = await js(`(() => { const svg = document.querySelector('#${fig} svg'), r = document.querySelector('#${fig} input');
			if (!svg || !r) return null;
			const t = Array.prototype.find.call(svg.querySelectorAll('text'), (e) => e.getBoundingClientRect().width > 20);
			const w0 = svg.getBoundingClientRect().width, t0 = t.getBoundingClientRect().width;
			r.value = 4; r.dispatchEvent(new Event('input'));
			return {w0, w1: svg.getBoundingClientRect().width, t0, t1: t.getBoundingClientRect().width}; })()`);
		if (z && Math.abs(z.w1 / z.w0 - 4) < 0.01 && Math.abs(z.t1 / z.t0 - 1) < 0.05)
			ok(`zoom 4x: the picture ${Math.round(z.w0)} -> ${Math.round(z.w1)} px wide, a text ${z.t0.toFixed(1)} -> ${z.t1.toFixed(1)} px`);
		else
			bad('zoom 4x stretches the picture, not its texts', JSON.stringify(z));
		await shot(png.replace(/\.png$/, '') + '-zoom.png');
	}

	await sleep(200);
	if (!errors.length)
		ok('no console error or exception');
	else
		bad(`no console error or exception (${errors.length})`, ...errors.slice(0, 10));
	const others = requests.filter((u) => u !== url);
	if (requests.includes(url) && !others.length)
		ok(`no request but the page itself (${requests.length})`);
	else
		bad('no request but the page itself', ...requests.slice(0, 10));
}

const watchdog = setTimeout(() => {
	bad('done within 120 s', stderr.split('\n').slice(-5).join(' | '));
	browser.kill('SIGKILL');
	process.exit(1);
}, 120000);

main().catch((e) => bad('the page could be driven', String(e), stderr.split('\n').slice(-5).join(' | '))).finally(async () => {
	const exited = browser.exitCode !== null || browser.signalCode !== null ? Promise.resolve()
		: new Promise((r) => browser.once('exit', r));
	try {
		await Promise.race([send('Browser.close'), sleep(5000)]);
	} catch (e) {
		// it is closing
	}
	// closed with its profile written; else killed
	if (await Promise.race([exited.then(() => true), sleep(10000)]) !== true) {
		browser.kill('SIGKILL');
		await Promise.race([exited, sleep(5000)]);
	}
	clearTimeout(watchdog);
	try {
		fs.rmSync(profile, {recursive: true, force: true, maxRetries: 5, retryDelay: 200});
	} catch (e) {
		console.log('     (profile ' + profile + ' left: ' + e.code + ')');
	}
	process.exit(failed ? 1 : 0);
});
