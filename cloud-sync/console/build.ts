// `npm run build:console`: writes the console's bundles to dist/console/ for cloud installs that ship without esbuild.
import { writeConsoleDist } from './assets';

for (const file of await writeConsoleDist()) console.log(`wrote ${file}`);
