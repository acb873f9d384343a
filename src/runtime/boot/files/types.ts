// What the install pipeline hands a backend, and what backends report about installed kernels.

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

/** Where the Secure Boot signing key was found (images/secureboot/signing-key.ts searches in this order). */
export type KeySource = 'config' | 'make.conf' | 'dracut' | 'sbctl';

/** The key a boot image is signed with: found by images/secureboot, carried here so boot writers can name it. */
export interface SigningKey {
	source: KeySource;
	/** Where the admin set it, for messages (a file, or the configuration keys). */
	origin: string;
	/** Disk path of the PEM certificate. */
	cert: string;
	/** Disk path of the key, or a PKCS#11 URI when `engine` is set. */
	key: string;
	engine?: string | undefined;
	/** The certificate and key as the admin wrote them (system paths / URI). */
	shownCert: string;
	shownKey: string;
}
