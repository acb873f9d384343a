// The import graph of a TypeScript source tree, read with TypeScript's own pre-processor (static imports,
// `import type`, `export … from` and dynamic `import()` all count: a type-only edge is still a design arrow).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir).sort()) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
		else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) out.push(path);
	}
	return out;
}

function resolveRelative(from: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	const base = resolve(dirname(from), specifier);
	for (const candidate of [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.m?js$/, '.ts')]) {
		if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}
	return undefined;
}

/** Edges between the non-test .ts files under `dir`, keyed and valued by paths relative to `dir`. */
export function readImportGraph(dir: string): ImportGraph {
	const root = resolve(dir);
	const graph: ImportGraph = new Map();
	for (const file of sourceFiles(root)) {
		const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
		const targets = new Set<string>();
		for (const ref of info.importedFiles) {
			const target = resolveRelative(file, ref.fileName);
			if (target) targets.add(relative(root, target));
		}
		graph.set(relative(root, file), [...targets].sort());
	}
	return graph;
}

/** Every strongly connected component with more than one file (or a file importing itself), as sorted lists. */
export function findCycles(graph: ImportGraph): string[][] {
	// Tarjan's algorithm, iterative so deep graphs do not overflow the stack.
	let counter = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const onStack = new Set<string>();
	const stack: string[] = [];
	const cycles: string[][] = [];
	for (const start of graph.keys()) {
		if (index.has(start)) continue;
		const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
		index.set(start, counter);
		low.set(start, counter++);
		stack.push(start);
		onStack.add(start);
		while (work.length > 0) {
			const frame = work[work.length - 1]!;
			const edges = graph.get(frame.node) ?? [];
			if (frame.next < edges.length) {
				const to = edges[frame.next++]!;
				if (!index.has(to)) {
					index.set(to, counter);
					low.set(to, counter++);
					stack.push(to);
					onStack.add(to);
					work.push({ node: to, next: 0 });
				} else if (onStack.has(to)) {
					low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
				}
				continue;
			}
			work.pop();
			const parent = work[work.length - 1];
			if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
			if (low.get(frame.node) === index.get(frame.node)) {
				const component: string[] = [];
				let member: string;
				do {
					member = stack.pop()!;
					onStack.delete(member);
					component.push(member);
				} while (member !== frame.node);
				const selfLoop = component.length === 1 && (graph.get(frame.node) ?? []).includes(frame.node);
				if (component.length > 1 || selfLoop) cycles.push(component.sort());
			}
		}
	}
	return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A floor plan: floors top to bottom, each a list of folders (relative to the graph's root, '' for the root). */
export interface FloorPlan {
	floors: ReadonlyArray<{ name: string; folders: readonly string[]; siblings: 'none' | 'acyclic' }>;
	/** Only files under this folder of the graph are checked ('' for all). */
	under: string;
}

function folderOf(file: string, under: string): string {
	const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
	if (under === '') return dir;
	return dir === under ? '' : dir.slice(under.length + 1);
}

/**
 * Every import that breaks the plan, as "from -> to (why)": upward across floors, sideways where siblings may
 * not import each other, a folder the plan does not place, and folder cycles.
 */
export function floorViolations(graph: ImportGraph, plan: FloorPlan): string[] {
	const prefix = plan.under === '' ? '' : `${plan.under}/`;
	const floorOf = new Map<string, number>();
	plan.floors.forEach((floor, index) => {
		for (const folder of floor.folders) floorOf.set(folder, index);
	});
	const out: string[] = [];
	const folderGraph: ImportGraph = new Map();
	for (const [from, targets] of graph) {
		if (!from.startsWith(prefix)) continue;
		const a = folderOf(from, plan.under);
		if (!floorOf.has(a)) out.push(`${from}: folder ${a || '(root)'} is on no floor`);
		for (const to of targets) {
			if (!to.startsWith(prefix)) continue;
			const b = folderOf(to, plan.under);
			if (a === b || !floorOf.has(a) || !floorOf.has(b)) continue;
			const fa = floorOf.get(a)!;
			const fb = floorOf.get(b)!;
			if (fb < fa) out.push(`${from} -> ${to} (upward: ${plan.floors[fa]!.name} imports ${plan.floors[fb]!.name})`);
			else if (fb === fa && plan.floors[fa]!.siblings === 'none')
				out.push(`${from} -> ${to} (sideways on floor ${plan.floors[fa]!.name})`);
			folderGraph.set(a, [...new Set([...(folderGraph.get(a) ?? []), b])].sort());
		}
	}
	for (const folders of folderGraph.values())
		for (const folder of folders) if (!folderGraph.has(folder)) folderGraph.set(folder, []);
	for (const cycle of findCycles(folderGraph)) out.push(`folder cycle: ${cycle.join(', ')}`);
	return [...new Set(out)].sort();
}
