// Every command of the program, in help order. Each lives in its own file.
import type { CommandModule } from '../command-module';
import { cleanCommand } from './clean';
import { doctorCommand } from './doctor';
import { generateCommand } from './generate';
import { genericImageCommand } from './generic-image';
import { initramfsCommand } from './initramfs';
import { installCommand } from './install';
import { modulesCommand } from './modules';
import { pluginCommand } from './plugin';
import { postsyncCommand } from './postsync';
import { removeCommand } from './remove';
import { setupCommand } from './setup';
import { statusCommand } from './status';
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
