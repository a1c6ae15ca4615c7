// The `seatpilot` command as the appliance ships it: bundled by build/build.ts into dist/seatpilot.cjs and run by the
// packaged Electron in Node mode (ELECTRON_RUN_AS_NODE=1), so the agent and the kiosk share one native better-sqlite3
// build. The same dispatcher as cli/main.ts, with only the box's commands.
import { BOX_COMMANDS } from '../cli/box-commands';
import { dispatch } from '../node-kit/dispatch';

void dispatch(BOX_COMMANDS, process.argv.slice(2));
