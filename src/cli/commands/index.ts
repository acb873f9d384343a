// Every command of the program, in help order. Each lives in its own file.
import type { CommandModule } from '../command-module';
import { generateCommand } from './generate';
import { installCommand } from './install';
import { removeCommand } from './remove';
import { initramfsCommand } from './initramfs';
import { pluginCommand } from './plugin';
import { statusCommand } from './status';
import { doctorCommand } from './doctor';
import { modulesCommand } from './modules';
import { setupCommand } from './setup';
import { cleanCommand } from './clean';
import { postsyncCommand } from './postsync';
import { genericImageCommand } from './generic-image';
import { verifyCommand } from './verify';

export const commands: CommandModule[] = [
	generateCommand,
	installCommand,
	removeCommand,
	initramfsCommand,
	pluginCommand,
	statusCommand,
	doctorCommand,
	modulesCommand,
	setupCommand,
	cleanCommand,
	postsyncCommand,
	genericImageCommand,
	verifyCommand,
];
