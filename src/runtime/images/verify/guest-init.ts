// The init the guest runs after switch_root: a freestanding x86-64 program (raw system calls, no libc, so no
// static libraries are needed) compiled on the host with its C compiler. It reads the nonce from the test root
// filesystem, writes it back reversed together with the running kernel's release to the raw result disk
// (/dev/vdb), syncs and powers the machine off. Only a guest that mounted the test disk as its root and
// executed its /sbin/init can produce that record.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DistKernelError, isDistKernelError } from '../../../lib/errors';
import type { RuntimeContext } from '../../context';

export const NONCE_PATH = '/dist-kernel-verify/nonce';
export const RESULT_DEVICE = '/dev/vdb';

export const GUEST_INIT_SOURCE = `/* dist-kernel verify: init of the test guest (x86-64 Linux, freestanding) */
static long sys(long n, long a, long b, long c, long d, long e) {
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return r;
}
enum { READ = 0, WRITE = 1, OPEN = 2, CLOSE = 3, PWRITE = 18, UNAME = 63, SYNC = 162, MOUNT = 165, REBOOT = 169 };
static char nonce[512], out[4096], uts[390];
static long len(const char *s) { long n = 0; while (s[n]) n++; return n; }
static void say(const char *s) { sys(WRITE, 2, (long)s, len(s), 0, 0); }
static long put(long at, const char *s) { while (*s && at < 4000) out[at++] = *s++; return at; }
void dk_main(void) {
	long console = sys(OPEN, (long)"/dev/console", 2, 0, 0, 0);
	if (console >= 0 && console != 2) { sys(33 /* dup2 */, console, 2, 0, 0, 0); }
	say("dist-kernel-verify: init running from the test root filesystem\\n");
	long at = put(0, "DKV1\\n");
	long fd = sys(OPEN, (long)"${NONCE_PATH}", 0, 0, 0, 0);
	long n = fd >= 0 ? sys(READ, fd, (long)nonce, sizeof nonce - 1, 0, 0) : -1;
	if (n > 0) { for (long i = n - 1; i >= 0; i--) if (nonce[i] != '\\n' && at < 4000) out[at++] = nonce[i]; }
	else at = put(at, "-");
	at = put(at, "\\n");
	if (sys(UNAME, (long)uts, 0, 0, 0, 0) == 0) at = put(at, uts + 2 * 65);
	at = put(at, "\\n");
	long dev = sys(OPEN, (long)"${RESULT_DEVICE}", 1 | 010000 /* O_WRONLY|O_SYNC */, 0, 0, 0);
	if (dev < 0) {
		/* switch_root normally moves /dev along; mount it when it did not. */
		sys(MOUNT, (long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0, 0);
		dev = sys(OPEN, (long)"${RESULT_DEVICE}", 1 | 010000, 0, 0, 0);
	}
	if (dev >= 0 && sys(PWRITE, dev, (long)out, sizeof out, 0, 0) == sizeof out) say("dist-kernel-verify: result written\\n");
	else say("dist-kernel-verify: cannot write the result disk\\n");
	sys(SYNC, 0, 0, 0, 0, 0);
	sys(REBOOT, 0xfee1dead, 672274793, 0x4321fedc /* RB_POWER_OFF */, 0, 0);
	for (;;) {}
}
__asm__(".global _start\\n_start:\\n xor %rbp, %rbp\\n and $-16, %rsp\\n call dk_main\\n hlt\\n");
`;

/** Compiles the init into `workDir`; returns its path. */
export async function buildGuestInit(ctx: Pick<RuntimeContext, 'exec'>, workDir: string): Promise<string> {
	if (process.arch !== 'x64') {
		throw new DistKernelError('verify.arch', `boot verification supports x86-64 only, not ${process.arch}`);
	}
	const source = join(workDir, 'init.c');
	const binary = join(workDir, 'init');
	writeFileSync(source, GUEST_INIT_SOURCE);
	const args = [
		'-Os',
		'-static',
		'-nostdlib',
		'-ffreestanding',
		'-fno-stack-protector',
		'-fno-pie',
		'-no-pie',
		'-fcf-protection=none',
		'-o',
		binary,
		source,
	];
	for (const compiler of ['cc', 'gcc', 'clang']) {
		try {
			await ctx.exec(compiler, args, { timeout: 120_000 });
			return binary;
		} catch (error) {
			if (isDistKernelError(error, 'exec.not-found')) continue;
			throw new DistKernelError('verify.init-build', `cannot build the test guest's init with ${compiler}`, {
				cause: error,
				details: isDistKernelError(error) ? error.details : undefined,
			});
		}
	}
	throw new DistKernelError(
		'verify.no-compiler',
		"no C compiler found to build the test guest's init (cc, gcc or clang)",
		{ hint: 'emerge sys-devel/gcc' },
	);
}
