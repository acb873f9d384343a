// The floors of src/runtime, top to bottom. A file may import files of its own folder and of any folder on a
// lower floor, never of a higher one. Folders on one floor may import each other only where `siblings` says so
// (and never in a cycle). README.md's "Architecture" section draws the same table.

export interface Floor {
	name: string;
	/** Folders under src/runtime ('' is src/runtime itself), each holding the files directly inside it. */
	folders: string[];
	/** 'none': folders of this floor import no sibling; 'acyclic': they may, without a folder cycle. */
	siblings: 'none' | 'acyclic';
}

export const FLOORS: Floor[] = [
	{ name: 'doctor', folders: ['features/doctor'], siblings: 'none' },
	{
		name: 'features',
		folders: [
			'features/clean',
			'features/generic-image',
			'features/install',
			'features/modules',
			'features/postsync',
			'features/setup',
			'features/status',
			'features/verify',
		],
		siblings: 'none',
	},
	{
		name: 'portage',
		folders: ['portage/binhost', 'portage/coalesce', 'portage/emerge', 'portage/root-modules', 'portage/vdb'],
		siblings: 'acyclic',
	},
	{
		name: 'images',
		folders: [
			'images/build',
			'images/dracut',
			'images/initramfs-reader',
			'images/rescue',
			'images/secureboot',
			'images/uki',
			'images/verify',
		],
		siblings: 'acyclic',
	},
	{
		name: 'boot',
		folders: [
			'boot/backends',
			'boot/files',
			'boot/install-log',
			'boot/layouts',
			'boot/loaders',
			'boot/settings',
			'boot/transaction',
		],
		siblings: 'acyclic',
	},
	{ name: 'state', folders: ['state', 'config-files'], siblings: 'none' },
	{ name: 'context', folders: [''], siblings: 'none' },
];
