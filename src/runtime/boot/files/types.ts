// What the install pipeline hands a backend, and what backends report about installed kernels.
import type { SigningKey } from '../../images/secureboot/signing-key';

export type BackendName = 'kernel-install' | 'installkernel' | 'builtin';

export interface KernelArtifacts {
	kv: string;
	/** Disk path of the image to install: the kernel, or the UKI installed in its place. */
	image: string;
	/** Disk path of the initramfs; for a UKI an empty placeholder so no other generator builds one. */
	initrd?: string | undefined;
	systemMap?: string | undefined;
	config?: string | undefined;
	uki: boolean;
	/** Shipped with the kernel package (beside its image) rather than built here. */
	prebuilt?: boolean | undefined;
	/** Only the initramfs changed (`dist-kernel initramfs`): backends that can, leave the other files alone. */
	initrdOnly?: boolean | undefined;
	/** The Secure Boot key `image` is signed with (a UKI or an EFI-stub kernel). */
	signedWith?: SigningKey | undefined;
}

export interface InstalledKernel {
	kv: string;
	backend: BackendName;
	/** System paths (as the target sees them) of every file belonging to this kernel. */
	files: string[];
}

export interface Backend {
	name: BackendName;
	/** Everything about the boot layout that can fail, checked before an image is built (typed errors). */
	check?(kv: string): Promise<void>;
	install(artifacts: KernelArtifacts): Promise<string[]>;
	remove(kv: string): Promise<string[]>;
	list(): Promise<InstalledKernel[]>;
}
