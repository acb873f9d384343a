// Set in the environment of everything our pipeline runs (kernel-install, installkernel hooks): our own
// kernel-install plugin then knows the initramfs is already built and must not build it again or wait for our lock.
export const PIPELINE_ENV = 'DIST_KERNEL_PIPELINE';
