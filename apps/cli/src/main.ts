#!/usr/bin/env node
// The project CLI (`npm run pulse -- <command>`). Each command lives in its own file under commands/.
import { Command } from 'commander';
import { registerDriftCommand } from './commands/drift.command';
import { registerExperimentsCommand } from './commands/experiments.command';
import { registerFeaturesCommand } from './commands/features.command';
import { registerGbdtCommand } from './commands/gbdt.command';
import { registerScoreCommand } from './commands/score.command';
import { registerSimulateCommand } from './commands/simulate.command';
import { registerStatusCommand } from './commands/status.command';
import { registerTrainCommand } from './commands/train.command';

const program = new Command('pulse')
  .description('Pulse: streaming machine learning for engagement')
  .showHelpAfterError();

registerStatusCommand(program);
registerSimulateCommand(program);
registerGbdtCommand(program);
registerFeaturesCommand(program);
registerTrainCommand(program);
registerScoreCommand(program);
registerExperimentsCommand(program);
registerDriftCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`pulse: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
