// A hand-written SVG line plot (no dependency): one or more series of (x, y) points with labelled axes.

export interface PlotSeries {
	label: string;
	points: { x: number; y: number }[];
	colour: string;
}

export interface PlotOptions {
	title: string;
	xLabel: string;
	yLabel: string;
	series: PlotSeries[];
	width?: number;
	height?: number;
}

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round step for about five grid lines. */
function niceStep(max: number): number {
	const raw = max / 5;
	const power = 10 ** Math.floor(Math.log10(raw));
	const unit = raw / power;
	return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function formatTick(value: number): string {
	return Number.isInteger(value) ? String(value) : value.toPrecision(3).replace(/\.?0+$/, '');
}

export function renderLinePlot(options: PlotOptions): string {
	const width = options.width ?? 640;
	const height = options.height ?? 400;
	const margin = { left: 70, right: 20, top: 40, bottom: 60 };
	const all = options.series.flatMap((s) => s.points);
	const xMax = Math.max(1, ...all.map((p) => p.x));
	const yMax = Math.max(1e-9, ...all.map((p) => p.y));
	const xStep = niceStep(xMax);
	const yStep = niceStep(yMax);
	const xTop = Math.ceil(xMax / xStep) * xStep;
	const yTop = Math.ceil(yMax / yStep) * yStep;
	const plotW = width - margin.left - margin.right;
	const plotH = height - margin.top - margin.bottom;
	const sx = (x: number) => margin.left + (x / xTop) * plotW;
	const sy = (y: number) => margin.top + plotH - (y / yTop) * plotH;
	const out: string[] = [];
	out.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
	);
	out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
	out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);
	for (let y = 0; y <= yTop + 1e-12; y += yStep) {
		out.push(
			`<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#ddd"/>`,
		);
		out.push(`<text x="${margin.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${formatTick(y)}</text>`);
	}
	for (let x = 0; x <= xTop + 1e-12; x += xStep) {
		out.push(
			`<line y1="${margin.top}" y2="${margin.top + plotH}" x1="${sx(x).toFixed(1)}" x2="${sx(x).toFixed(1)}" stroke="#eee"/>`,
		);
		out.push(
			`<text x="${sx(x).toFixed(1)}" y="${margin.top + plotH + 16}" text-anchor="middle">${formatTick(x)}</text>`,
		);
	}
	out.push(
		`<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="black"/>`,
	);
	out.push(
		`<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="black"/>`,
	);
	out.push(
		`<text x="${margin.left + plotW / 2}" y="${height - 18}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
	);
	out.push(
		`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
	);
	options.series.forEach((series, index) => {
		const pts = [...series.points].sort((a, b) => a.x - b.x);
		const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
		out.push(`<path d="${path}" fill="none" stroke="${series.colour}" stroke-width="2"/>`);
		for (const p of pts)
			out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${series.colour}"/>`);
		const ly = margin.top + 8 + index * 18;
		out.push(`<rect x="${margin.left + 12}" y="${ly - 9}" width="12" height="12" fill="${series.colour}"/>`);
		out.push(`<text x="${margin.left + 30}" y="${ly + 1}">${escapeXml(series.label)}</text>`);
	});
	out.push('</svg>');
	return `${out.join('\n')}\n`;
}
