// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// svg_chromium.sh: the picture's text overlaps, as headless Chromium lays it out.
// Every <text> of the svg against every other and every marker: their
// rendered boxes (getBBox, less 1 px each side) must not intersect. The
// markers: the timeline's, or those a page names before this script in
// window.ctOverlapMarks (a CSS selector; report_svg.sh: the dots and marks).
(function () {
	var svg = document.querySelector('svg');
	var texts = Array.prototype.slice.call(svg.querySelectorAll('text'));
	var marks = Array.prototype.slice.call(svg.querySelectorAll(window.ctOverlapMarks ||
		'circle.http, rect.log, path.ms, path.sub'));
	var box = function (e) { var b = e.getBBox(); return {x1: b.x + 1, y1: b.y + 1, x2: b.x + b.width - 1, y2: b.y + b.height - 1}; };
	var hit = function (a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; };
	var tb = texts.map(box), mb = marks.map(box), out = [];
	for (var i = 0; i < texts.length; i++) {
		if (tb[i].x2 <= tb[i].x1)
			continue;
		for (var j = i + 1; j < texts.length; j++)
			if (hit(tb[i], tb[j]))
				out.push('text "' + texts[i].textContent + '" over text "' + texts[j].textContent + '"');
		for (var k = 0; k < marks.length; k++)
			if (hit(tb[i], mb[k]))
				out.push('text "' + texts[i].textContent + '" over ' + marks[k].tagName + '.' +
					 marks[k].getAttribute('class') + ' at ' + Math.round(mb[k].x1));
	}
	var p = document.createElement('pre');
	p.id = 'overlaps';
	p.textContent = 'OVERLAPS ' + out.length + ' TEXTS ' + texts.length + '\n' + out.join('\n') + '\nEND';
	document.body.appendChild(p);
})();
