// bench/memsplit.mjs DHAT_OUT [DHAT_OUT_BASELINE] - the allocations of
// one login, split by library, from valgrind --tool=dhat's output.
//
// Each allocation stack is charged to the first frame, from the
// allocation up, that is not the allocator or libc: that frame's
// library (OpenSSL, libcurl, libjwt, json-c, PAM, the loader...) or
// "ours" (a frame in pam_okta_groups/). A second table charges every
// allocation to the first frame of ours on its stack: what our calls
// cause, in the libraries too. With a baseline (pam_permit's run), its
// figures are taken off library by library.
import { readFileSync, readdirSync } from "node:fs";

const load = (f) => JSON.parse(readFileSync(f, "utf8"));
const ours = /\((?:\S*\/)?(?:pam_okta_groups\/)?([a-z_]+\.c):\d+\)/;
const ourFiles = new Set(readdirSync(new URL("../pam_okta_groups/", import.meta.url).pathname)
	.filter((f) => f.endsWith(".c")));

function libOf(frame) {
	const m = frame.match(/\(in (\S+)\)/);
	if (m) {
		const b = m[1].split("/").pop();
		if (/vgpreload|^libc\.so/.test(b)) return null;
		if (/^libcrypto|^libssl/.test(b)) return "OpenSSL";
		if (/^libcurl/.test(b)) return "libcurl";
		if (/^libjwt/.test(b)) return "libjwt";
		if (/^libjson-c/.test(b)) return "json-c";
		if (/^libpam/.test(b)) return "PAM (libpam)";
		if (/^ld-linux/.test(b)) return "the loader (ld.so)";
		if (/pam_okta_groups/.test(b)) return "ours";
		return b.replace(/\.so.*/, "");
	}
	const s = frame.match(ours);
	if (s) return ourFiles.has(s[1]) ? "ours" : s[1] === "pamrun.c" ? "harness (pamrun)" : null;  /* else libc's sources */
	if (/\b(malloc|calloc|realloc|strdup|strndup|memalign|posix_memalign)\b/.test(frame)) return null;
	return "other";
}

function ourFn(frame) {
	const s = frame.match(ours);
	if (!s || !ourFiles.has(s[1])) return null;
	const fn = frame.match(/: (\S+) \(/);
	return `${fn ? fn[1] : "?"} (${s[1]})`;
}

function split(file) {
	const d = load(file);
	const byLib = new Map(), byOurs = new Map();
	const add = (m, k, pp) => {
		const v = m.get(k) ?? { n: 0, bytes: 0, peak: 0 };
		v.n += pp.tbk; v.bytes += pp.tb; v.peak += pp.gb ?? 0;
		m.set(k, v);
	};
	for (const pp of d.pps) {
		const frames = pp.fs.map((i) => d.ftbl[i]);
		let lib = null;
		for (const f of frames) if ((lib = libOf(f)) !== null) break;
		add(byLib, lib ?? "libc", pp);
		let fn = null;
		for (const f of frames) if ((fn = ourFn(f)) !== null) break;
		if (fn) add(byOurs, fn, pp);
	}
	return { byLib, byOurs };
}

const [file, base] = process.argv.slice(2);
const m = split(file);
const b = base ? split(base) : { byLib: new Map() };
const kib = (x) => (x / 1024).toFixed(0);
const rows = [...m.byLib].map(([k, v]) => {
	const o = b.byLib.get(k) ?? { n: 0, bytes: 0, peak: 0 };
	return [k, v.n - o.n, v.bytes - o.bytes, v.peak - o.peak];
}).sort((x, y) => y[1] - x[1]);
const tot = rows.reduce((a, r) => [a[0] + r[1], a[1] + r[2], a[2] + r[3]], [0, 0, 0]);
console.log("| charged to (first frame past the allocator) | allocations | KiB in all | KiB live at the heap's peak |");
console.log("|---|---|---|---|");
for (const r of rows) if (r[1] !== 0 || r[2] !== 0) console.log(`| ${r[0]} | ${r[1]} | ${kib(r[2])} | ${kib(r[3])} |`);
console.log(`| all${base ? " (less pam_permit's run)" : ""} | ${tot[0]} | ${kib(tot[1])} | ${kib(tot[2])} |`);
console.log("");
console.log("| our first frame on the stack (what our calls cause, libraries included) | allocations | KiB in all | KiB live at the heap's peak |");
console.log("|---|---|---|---|");
for (const [k, v] of [...m.byOurs].sort((x, y) => y[1].n - x[1].n).slice(0, 12))
	console.log(`| ${k} | ${v.n} | ${kib(v.bytes)} | ${kib(v.peak)} |`);
