// Every template file and where its output goes in the overlay. Templates are inlined at build time (esbuild text loader).
import type * as z from 'zod';
import distKernelUtilsEclass from '../../templates/overlay/eclass/dist-kernel-utils.eclass.hbs';
import kernelInstallEclass from '../../templates/overlay/eclass/kernel-install.eclass.hbs';
import linuxModR1Eclass from '../../templates/overlay/eclass/linux-mod-r1.eclass.hbs';
import layoutConf from '../../templates/overlay/metadata/layout.conf.hbs';
import categories from '../../templates/overlay/profiles/categories.hbs';
import repoName from '../../templates/overlay/profiles/repo_name.hbs';
import runtimeEbuild from '../../templates/overlay/sys-kernel/dist-kernel-runtime/dist-kernel-runtime.ebuild.hbs';
import kernelInstallPlugin50 from '../../templates/overlay/sys-kernel/dist-kernel-runtime/files/50-dist-kernel.install.hbs';
import launcher from '../../templates/overlay/sys-kernel/dist-kernel-runtime/files/dist-kernel.launcher.hbs';
import postsyncHook from '../../templates/overlay/sys-kernel/dist-kernel-runtime/files/dist-kernel.postsync.hbs';
import runtimeMetadataXml from '../../templates/overlay/sys-kernel/dist-kernel-runtime/metadata.xml.hbs';
import virtualEbuild from '../../templates/overlay/virtual/dist-kernel/dist-kernel.ebuild.hbs';
import virtualMetadataXml from '../../templates/overlay/virtual/dist-kernel/metadata.xml.hbs';
import { RUNTIME_PACKAGE } from '../config/runtime-package';
import type { TemplateSource } from './render';
import {
	categoriesContextSchema,
	layoutConfContextSchema,
	metadataXmlContextSchema,
	repoNameContextSchema,
	runtimeEbuildContextSchema,
	staticContextSchema,
	virtualEbuildContextSchema,
} from './template-contexts';

export const RUNTIME_PACKAGE_DIR = RUNTIME_PACKAGE;
export const VIRTUAL_PACKAGE_DIR = 'virtual/dist-kernel';

/** What the runtime ebuild does with a static file in files/. */
export type StaticRole = 'eclass' | 'kernel-install-plugin' | 'postsync-hook' | 'launcher';

/** A template rendered with only `{ runtime }`; its output path is fixed. All of them are bash. */
export interface StaticTemplate extends TemplateSource<typeof staticContextSchema> {
	/** Path in the overlay. */
	output: string;
	role: StaticRole;
}

function staticTemplate(name: string, source: string, role: StaticRole): StaticTemplate {
	return { name, source, schema: staticContextSchema, output: name.replace(/\.hbs$/, ''), role };
}

/**
 * Templates written by the eclass and runtime engineers. To add a kernel-install plugin: create
 * templates/overlay/sys-kernel/dist-kernel-runtime/files/NN-dist-kernel-NAME.install.hbs, import it above and add a
 * line here; the runtime ebuild installs every 'kernel-install-plugin' into /usr/lib/kernel/install.d.
 */
export const STATIC_TEMPLATES: readonly StaticTemplate[] = [
	staticTemplate('eclass/dist-kernel-utils.eclass.hbs', distKernelUtilsEclass, 'eclass'),
	staticTemplate('eclass/kernel-install.eclass.hbs', kernelInstallEclass, 'eclass'),
	staticTemplate('eclass/linux-mod-r1.eclass.hbs', linuxModR1Eclass, 'eclass'),
	staticTemplate(
		`${RUNTIME_PACKAGE_DIR}/files/50-dist-kernel.install.hbs`,
		kernelInstallPlugin50,
		'kernel-install-plugin',
	),
	staticTemplate(`${RUNTIME_PACKAGE_DIR}/files/dist-kernel.postsync.hbs`, postsyncHook, 'postsync-hook'),
	staticTemplate(`${RUNTIME_PACKAGE_DIR}/files/dist-kernel.launcher.hbs`, launcher, 'launcher'),
];

function template<S extends z.ZodType>(name: string, source: string, schema: S): TemplateSource<S> {
	return { name, source, schema };
}

/** Templates whose context the generator computes (scan results, configuration). */
export const REPO_NAME_TEMPLATE = template('profiles/repo_name.hbs', repoName, repoNameContextSchema);
export const CATEGORIES_TEMPLATE = template('profiles/categories.hbs', categories, categoriesContextSchema);
export const LAYOUT_CONF_TEMPLATE = template('metadata/layout.conf.hbs', layoutConf, layoutConfContextSchema);
export const VIRTUAL_EBUILD_TEMPLATE = template(
	`${VIRTUAL_PACKAGE_DIR}/dist-kernel.ebuild.hbs`,
	virtualEbuild,
	virtualEbuildContextSchema,
);
export const VIRTUAL_METADATA_TEMPLATE = template(
	`${VIRTUAL_PACKAGE_DIR}/metadata.xml.hbs`,
	virtualMetadataXml,
	metadataXmlContextSchema,
);
export const RUNTIME_EBUILD_TEMPLATE = template(
	`${RUNTIME_PACKAGE_DIR}/dist-kernel-runtime.ebuild.hbs`,
	runtimeEbuild,
	runtimeEbuildContextSchema,
);
export const RUNTIME_METADATA_TEMPLATE = template(
	`${RUNTIME_PACKAGE_DIR}/metadata.xml.hbs`,
	runtimeMetadataXml,
	metadataXmlContextSchema,
);

/** Every template the project ships; the template tests walk this list (and check it covers templates/overlay). */
export const ALL_TEMPLATES: readonly TemplateSource[] = [
	...STATIC_TEMPLATES,
	REPO_NAME_TEMPLATE,
	CATEGORIES_TEMPLATE,
	LAYOUT_CONF_TEMPLATE,
	VIRTUAL_EBUILD_TEMPLATE,
	VIRTUAL_METADATA_TEMPLATE,
	RUNTIME_EBUILD_TEMPLATE,
	RUNTIME_METADATA_TEMPLATE,
];
